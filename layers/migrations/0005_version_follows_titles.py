"""A changed title is a new data version: cached clusters, tiles and the workers' cluster
indexes show titles, and must not keep an edited one (the counts themselves do not move)."""

from django.db import migrations

from contributions.selectors import PUBLIC_GEOM
from layers.counts import PUBLIC_CHANGED, SHOWN_CHANGED, bump_sql, delta_sql


def _update_function(bumped_when):
    return f"""
CREATE OR REPLACE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql(PUBLIC_CHANGED.format(side="old_rows", other="new_rows"), -1, location=PUBLIC_GEOM)}
    {delta_sql(PUBLIC_CHANGED.format(side="new_rows", other="old_rows"), 1, location=PUBLIC_GEOM)}
    {bump_sql(bumped_when.format(side="new_rows", other="old_rows"))}
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("layers", "0004_public_location_counts")]

    operations = [
        migrations.RunSQL(_update_function(SHOWN_CHANGED), _update_function(PUBLIC_CHANGED))
    ]
