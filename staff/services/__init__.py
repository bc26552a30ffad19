"""Every write of the staff workspace, one module per idea: moderation, answers (status and
public answer), duplicates, assisted entry, answer templates, and the emails that tell
followers. Each write checks the actor's role itself (a view forgetting to would still not let
anyone act on another project) and writes the audit log in the same transaction as the change
it records (staff.services.audit)."""
