"""Running counts of public contributions per Web Mercator cell, kept by the database.

Statement-level triggers (transition tables) add and subtract whole statements at once, so
a single write costs three upserts and a bulk insert of 50,000 rows a few grouped ones.
Nothing is ever rebuilt: counts only move by the rows a statement touched.
"""

from django.db import migrations

from layers.grid import COUNT_COLUMNS, ORIGIN, STORED_LEVELS, WORLD
from contributions.models import PUBLIC_STATUSES

COUNTS = list(COUNT_COLUMNS.items())
PUBLIC = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES)
LEVELS = ", ".join(f"({level})" for level in STORED_LEVELS)

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


def delta_sql(source: str, sign: int) -> str:
    """Adds (sign 1) or subtracts (sign -1) the public rows of `source` from the counts."""
    counts = ", ".join(
        f"coalesce(sum(r.sign) FILTER (WHERE r.kind = '{kind}' AND r.status = '{status}'), 0)"
        for (kind, status), _column in COUNTS
    )
    updates = ", ".join(f"{column} = c.{column} + EXCLUDED.{column}" for _key, column in COUNTS)
    return f"""
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, {", ".join(column for _key, column in COUNTS)})
    SELECT r.project_id, lv.level,
        floor((r.mx + {ORIGIN}) / ({WORLD} / (1 << lv.level)))::int,
        floor(({ORIGIN} - r.my) / ({WORLD} / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), {counts}
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, {sign} AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM {source} s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ({PUBLIC})
    ) r
    CROSS JOIN (VALUES {LEVELS}) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        {updates};
    """


def bump_sql(source: str) -> str:
    return f"""
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM {source} AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    """


# Only rows whose place in the counts changed matter on update (not votes, not answers).
CHANGED = """(SELECT o.* FROM {side} o JOIN {other} x ON x.id = o.id
    WHERE (o.geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.geom, x.status, x.kind, x.theme_id, x.project_id))"""

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
