"""Running counts of public contributions per Web Mercator cell, kept by the database.

Statement-level triggers (transition tables) add and subtract whole statements at once, so
a single write costs three upserts and a bulk insert of 50,000 rows a few grouped ones.
Nothing is ever rebuilt: counts only move by the rows a statement touched.
"""

from django.db import migrations

from layers.counts import CHANGED, COUNTS, bump_sql, delta_sql

TABLE = f"""
CREATE TABLE layers_clustercell (
    project_id bigint NOT NULL,
    level smallint NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    theme_id bigint NOT NULL,
    n integer NOT NULL,
    sx double precision NOT NULL,
    sy double precision NOT NULL,
    minx double precision NOT NULL,
    miny double precision NOT NULL,
    maxx double precision NOT NULL,
    maxy double precision NOT NULL,
    {", ".join(f"{column} integer NOT NULL DEFAULT 0" for _key, column in COUNTS)},
    PRIMARY KEY (project_id, level, cx, cy, theme_id)
);

CREATE TABLE layers_version (
    project_id bigint PRIMARY KEY,
    version bigint NOT NULL
);
"""


FUNCTIONS = f"""
CREATE FUNCTION layers_point(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Transform(CASE WHEN GeometryType(g) = 'POINT' THEN g
                        ELSE ST_PointOnSurface(g) END, 3857)
$$;

CREATE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql("new_rows", 1)}
    {bump_sql("new_rows")}
    RETURN NULL;
END $$;

CREATE FUNCTION layers_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql("old_rows", -1)}
    {bump_sql("old_rows")}
    RETURN NULL;
END $$;

CREATE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {delta_sql(CHANGED.format(side="old_rows", other="new_rows"), -1)}
    {delta_sql(CHANGED.format(side="new_rows", other="old_rows"), 1)}
    {bump_sql(CHANGED.format(side="new_rows", other="old_rows"))}
    RETURN NULL;
END $$;

CREATE TRIGGER layers_cells_insert AFTER INSERT ON contributions_contribution
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_insert();
CREATE TRIGGER layers_cells_delete AFTER DELETE ON contributions_contribution
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_delete();
CREATE TRIGGER layers_cells_update AFTER UPDATE ON contributions_contribution
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_update();
"""

# Contributions written before this migration.
BACKFILL = delta_sql("contributions_contribution", 1) + bump_sql("contributions_contribution")

BACKWARD = """
DROP TRIGGER IF EXISTS layers_cells_insert ON contributions_contribution;
DROP TRIGGER IF EXISTS layers_cells_delete ON contributions_contribution;
DROP TRIGGER IF EXISTS layers_cells_update ON contributions_contribution;
DROP FUNCTION IF EXISTS layers_after_insert();
DROP FUNCTION IF EXISTS layers_after_delete();
DROP FUNCTION IF EXISTS layers_after_update();
DROP FUNCTION IF EXISTS layers_point(geometry);
DROP TABLE IF EXISTS layers_version;
DROP TABLE IF EXISTS layers_clustercell;
"""


class Migration(migrations.Migration):
    dependencies = [("contributions", "0003_public_list_indexes")]

    operations = [migrations.RunSQL(TABLE + FUNCTIONS + BACKFILL, BACKWARD)]
