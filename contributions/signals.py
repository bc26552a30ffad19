"""What contributions announce, so the apps above them (layers, privacy) react without this
app importing them."""

from django.dispatch import Signal

# Sent inside submit_contribution's transaction, after the contribution is saved, with
# `contribution` and `profile` (the submitter's optional, opt-in profile answers, a dict that
# may be empty). A receiver that raises a DomainError rolls the whole submission back.
contribution_submitted = Signal()

# Sent inside the transaction of a bulk insert that bypassed per-row bookkeeping (the
# synthetic generator), with `table`: the name of a temporary table of the new rows, shaped
# like contributions_contribution.
contributions_bulk_inserted = Signal()
