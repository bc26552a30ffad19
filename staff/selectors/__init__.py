"""Reads of the staff workspace, one module per idea: the moderation queue, possible
duplicates, the dashboard's figures and the small maps the pages draw."""
