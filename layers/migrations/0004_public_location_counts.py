"""The running per-cell counts follow the public location (contributions 0007), not the exact
one: a cell's running mean and extent of a single contribution would otherwise give its
exact place away. A recomputed public location moves the counts like any other update."""

from django.db import migrations

from contributions.selectors import PUBLIC_GEOM
from layers.counts import CHANGED, PUBLIC_CHANGED, bump_sql, delta_sql


def _functions(location, changed):
    return f"""
CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('layers.defer_counts', true) = 'on' THEN
        RETURN NULL;
    END IF;
    {delta_sql("new_rows", 1, location=location)}
    {bump_sql("new_rows")}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION layers_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql("old_rows", -1, location=location)}
    {bump_sql("old_rows")}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql(changed.format(side="old_rows", other="new_rows"), -1, location=location)}
    {delta_sql(changed.format(side="new_rows", other="old_rows"), 1, location=location)}
    {bump_sql(changed.format(side="new_rows", other="old_rows"))}
    RETURN NULL;
END $$;
"""


# Until a project has location rules its public and exact locations are equal, so the counts
# already stored are right and nothing is rebuilt here.
FORWARD = _functions(PUBLIC_GEOM, PUBLIC_CHANGED)
BACKWARD = _functions("geom", CHANGED)


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0003_deferrable_counts"),
        ("contributions", "0007_public_location"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
