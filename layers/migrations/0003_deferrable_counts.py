"""A bulk writer may defer the counts to one set-based pass at the end of its transaction
(SET LOCAL layers.defer_counts = on); every other writer moves them per statement."""

from django.db import migrations

from layers.counts import bump_sql, delta_sql

FORWARD = f"""
CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('layers.defer_counts', true) = 'on' THEN
        RETURN NULL;
    END IF;
    {delta_sql("new_rows", 1)}
    {bump_sql("new_rows")}
    RETURN NULL;
END $$;
"""

BACKWARD = f"""
CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql("new_rows", 1)}
    {bump_sql("new_rows")}
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_rows_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
