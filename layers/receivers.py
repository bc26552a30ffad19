"""Layers' side of the contributions app's bulk-insert signals (contributions/signals.py):
the running per-cell counts skip a bulk insert row by row and catch up in one set-based pass,
so contributions never imports layers. Connected in LayersConfig.ready()."""

from django.db import connection

from contributions.selectors import PUBLIC_GEOM
from layers import counts


def defer_counts(sender, **kwargs):
    """Before the first row: the insert trigger (layers 0003, 0004) skips its per-statement
    pass while this transaction-local setting is on."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL layers.defer_counts = on")


def count_bulk_insert(sender, table, **kwargs):
    """After the last row: the new public rows move the counts once, as the trigger would
    have, and the trigger counts per statement again for the rest of the transaction."""
    with connection.cursor() as cursor:
        cursor.execute(counts.delta_sql(table, 1, location=PUBLIC_GEOM) + counts.bump_sql(table))
        cursor.execute("SET LOCAL layers.defer_counts = off")
