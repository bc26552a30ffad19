"""What contributions announce, so the apps above them (layers, privacy) react without this
app importing them."""

from django.dispatch import Signal

# Sent inside submit_contribution's transaction, after the contribution is saved, with
# `contribution`, `profile` (the submitter's optional, opt-in profile answers, a dict that
# may be empty) and `request` (the web request that sent it, or None from a command, Open311
# or staff entry; staff marks the visit it converts). A receiver that raises a DomainError
# rolls the whole submission back.
contribution_submitted = Signal()

# Sent inside the transaction of a bulk insert (the synthetic generator) before its first row,
# with `project`: a receiver may switch its per-row bookkeeping off for the rest of the
# transaction (layers defers its running counts), to catch up on contributions_bulk_inserted.
contributions_bulk_insert_started = Signal()

# Sent inside the transaction of a bulk insert that bypassed per-row bookkeeping (the
# synthetic generator), with `table`: the name of a temporary table of the new rows, shaped
# like contributions_contribution (project_id, theme_id, kind, status, public_geom).
contributions_bulk_inserted = Signal()
