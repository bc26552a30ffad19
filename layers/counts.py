"""The SQL that moves the running per-cell counts by a set of contribution rows.

Shared by the triggers (migrations) and the bulk generator, so both count the same way.
`source` is always a table or subquery written in this code base, never user input.
"""

from contributions.models import PUBLIC_STATUSES
from contributions.selectors import PUBLIC_GEOM
from layers.grid import COUNT_COLUMNS, ORIGIN, STORED_LEVELS, WORLD

COUNTS = list(COUNT_COLUMNS.items())
PUBLIC = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES)
LEVELS = ", ".join(f"({level})" for level in STORED_LEVELS)


def delta_sql(source: str, sign: int, *, location: str = "geom") -> str:
    """Adds (sign 1) or subtracts (sign -1) the public rows of `source` from the counts.

    `location` is the column the cells are keyed by: the triggers (layers 0004 on) pass
    PUBLIC_GEOM, so no cell's running mean or extent reveals an exact place. The default
    keeps the earlier migrations and sources without that column as they were written.
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


# Only rows whose place in the counts changed matter on update (not votes, not answers).
CHANGED = """(SELECT o.* FROM {side} o JOIN {other} x ON x.id = o.id
    WHERE (o.geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.geom, x.status, x.kind, x.theme_id, x.project_id))"""

# The same, once the cells follow the public location: a recomputed public point moves them.
PUBLIC_CHANGED = f"""(SELECT o.* FROM {{side}} o JOIN {{other}} x ON x.id = o.id
    WHERE (o.{PUBLIC_GEOM}, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.{PUBLIC_GEOM}, x.status, x.kind, x.theme_id, x.project_id))"""

# What the map shows of a contribution (clusters' single items, tiles' points): a change to
# any of it is a new data version, so caches keyed by the version never serve the old text.
SHOWN_CHANGED = f"""(SELECT o.* FROM {{side}} o JOIN {{other}} x ON x.id = o.id
    WHERE (o.{PUBLIC_GEOM}, o.status, o.kind, o.theme_id, o.project_id, o.title)
          IS DISTINCT FROM
          (x.{PUBLIC_GEOM}, x.status, x.kind, x.theme_id, x.project_id, x.title))"""
