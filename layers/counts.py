"""The SQL that moves the running per-cell counts by a set of contribution rows.

The bulk path (layers.receivers) runs it live. The triggers run the same statements, pasted
into their migrations as literal text (layers 0001-0005: a migration never imports live code),
and tests/database/test_counts_schema.py fails as soon as the two differ: a new kind or public
status, or a change here, needs a migration that rewrites the columns and trigger functions.
`source` is always a table or subquery written in this code base, never user input.
"""

from contributions.models import PUBLIC_GEOM, PUBLIC_STATUSES
from layers.grid import COUNT_COLUMNS, ORIGIN, STORED_LEVELS, WORLD

COUNTS = list(COUNT_COLUMNS.items())
PUBLIC = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES)
LEVELS = ", ".join(f"({level})" for level in STORED_LEVELS)


def delta_sql(source: str, sign: int, *, location: str = PUBLIC_GEOM) -> str:
    """Adds (sign 1) or subtracts (sign -1) the public rows of `source` from the counts.

    `location` is the column the cells are keyed by: the public location (as the triggers do
    since layers 0004), so no cell's running mean or extent reveals an exact place.
    """
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
        CROSS JOIN LATERAL (SELECT layers_point(s.{location}) AS p) m
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


# The rows of an update that the update trigger (layers 0004, 0005) recounts: only those whose
# place in the counts changed (not votes, not answers); a recomputed public point moves them.
PUBLIC_CHANGED = f"""(SELECT o.* FROM {{side}} o JOIN {{other}} x ON x.id = o.id
    WHERE (o.{PUBLIC_GEOM}, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.{PUBLIC_GEOM}, x.status, x.kind, x.theme_id, x.project_id))"""

# The rows of an update that bump the data version (layers 0005): what the map shows of a
# contribution (clusters' single items, tiles' points), so caches keyed by the version never
# serve an old text.
SHOWN_CHANGED = f"""(SELECT o.* FROM {{side}} o JOIN {{other}} x ON x.id = o.id
    WHERE (o.{PUBLIC_GEOM}, o.status, o.kind, o.theme_id, o.project_id, o.title)
          IS DISTINCT FROM
          (x.{PUBLIC_GEOM}, x.status, x.kind, x.theme_id, x.project_id, x.title))"""
