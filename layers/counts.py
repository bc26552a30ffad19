"""The SQL that moves the running per-cell counts by a set of contribution rows.

The bulk path (layers.receivers) runs it live. The triggers run the same statements, pasted
into their migrations as literal text (layers 0001-0005: a migration never imports live code),
and tests/database/test_counts_schema.py fails as soon as the two differ: a new kind or public
status, or a change here, needs a migration that rewrites the columns and trigger functions.
`source` is always a table or subquery written in this code base, never user input.
"""

from contributions.models import PUBLIC_GEOM, PUBLIC_STATUSES
from layers.grid import (
    COUNT_COLUMNS,
    EXTENT_LEVEL,
    ORIGIN,
    STORED_LEVELS,
    WORLD,
    extent_cell_sql,
    extent_sql,
)

COUNTS = list(COUNT_COLUMNS.items())
PUBLIC = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES)
LEVELS = ", ".join(f"({level})" for level in STORED_LEVELS)
EXTENT = ("minx", "miny", "maxx", "maxy")


def _cell_key(x: str, y: str, level: str) -> tuple[str, str]:
    """The column and row of a cell of `level`, as the primary key of layers_clustercell has
    them (the triggers' own arithmetic since layers 0001)."""
    return (
        f"floor(({x} + {ORIGIN}) / ({WORLD} / (1 << {level})))::int",
        f"floor(({ORIGIN} - {y}) / ({WORLD} / (1 << {level})))::int",
    )


def delta_sql(source: str, sign: int, *, location: str = PUBLIC_GEOM) -> str:
    """Adds (sign 1) or subtracts (sign -1) the public rows of `source` from the counts.

    `location` is the column the cells are keyed by: the public location (as the triggers do
    since layers 0004). A cell's extent is the box of the EXTENT_LEVEL cells its points lie
    in (layers.grid), never a point; adding points widens it (from nothing in a cell every
    point had left), and removing them leaves it to shrink_sql. A cell every point has left
    forgets its sums too, so nothing of a removed point stays behind in it.
    """
    counts = ", ".join(
        f"coalesce(sum(r.sign) FILTER (WHERE r.kind = '{kind}' AND r.status = '{status}'), 0)"
        for (kind, status), _column in COUNTS
    )
    updates = ", ".join(f"{column} = c.{column} + EXCLUDED.{column}" for _key, column in COUNTS)
    column, row = extent_cell_sql("ST_X(m.p)", "ST_Y(m.p)")
    extent = ", ".join(extent_sql("min(r.ex)", "max(r.ey)", "max(r.ex)", "min(r.ey)"))
    cx, cy = _cell_key("r.mx", "r.my", "lv.level")
    if sign > 0:
        widen = ", ".join(
            f"{name} = CASE WHEN c.n = 0 THEN EXCLUDED.{name}"
            f" ELSE {pick}(c.{name}, EXCLUDED.{name}) END"
            for name, pick in zip(EXTENT, ("least", "least", "greatest", "greatest"), strict=True)
        )
        widen = f"\n        {widen},"
    else:
        widen = ""
    return f"""
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, {", ".join(column for _key, column in COUNTS)})
    SELECT r.project_id, lv.level, {cx}, {cy},
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        {extent}, {counts}
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, {sign} AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my, {column} AS ex, {row} AS ey
        FROM {source} s
        CROSS JOIN LATERAL (SELECT layers_point(s.{location}) AS p) m
        WHERE s.status IN ({PUBLIC})
    ) r
    CROSS JOIN (VALUES {LEVELS}) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n,
        sx = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sx + EXCLUDED.sx END,
        sy = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sy + EXCLUDED.sy END,{widen}
        {updates};
    """


def shrink_sql(source: str, *, location: str = PUBLIC_GEOM) -> str:
    """After the public rows of `source` were subtracted (delta_sql, sign -1): the extents
    they may have held open close again. Only where a row left an EXTENT_LEVEL cell empty can
    an extent shrink; the coarser cells above such a cell are remade from their non-empty
    children, finest level first, each from the one below as just remade. The work follows
    the cells the rows left, never the project's size: a cell of level 16 reads its children
    in one index range, one of level 12 the remade cells of level 16 in another.
    """
    finest = STORED_LEVELS[-1]
    assert finest == EXTENT_LEVEL  # a finest cell's extent is its own bounds, never remade
    cx, cy = _cell_key("ST_X(r.p)", "ST_Y(r.p)", str(finest))
    ctes = [
        f"""emptied AS (
        SELECT DISTINCT z.project_id, z.theme_id, z.cx, z.cy
        FROM (
            SELECT s.project_id, s.theme_id, layers_point(s.{location}) AS p
            FROM {source} s WHERE s.status IN ({PUBLIC})
        ) r
        JOIN layers_clustercell z ON z.project_id = r.project_id AND z.level = {finest}
            AND z.cx = {cx} AND z.cy = {cy} AND z.theme_id = r.theme_id
        WHERE z.n = 0
    )"""
    ]
    parents = sorted(STORED_LEVELS[:-1], reverse=True)
    statements = []
    previous = None  # the CTE holding the child level's remade cells, if it was remade
    for level, child in zip(parents, [finest, *parents], strict=False):
        shift, up = child - level, finest - level
        side = (1 << shift) - 1
        if previous:
            replaced = f"""
            LEFT JOIN {previous} f ON f.project_id = z.project_id AND f.theme_id = z.theme_id
                AND f.cx = z.cx AND f.cy = z.cy"""
            values = ", ".join(
                f"{pick}(coalesce(f.{name}, z.{name})) AS {name}"
                for name, pick in zip(EXTENT, ("min", "min", "max", "max"), strict=True)
            )
        else:
            replaced = ""
            values = ", ".join(
                f"{pick}(z.{name}) AS {name}"
                for name, pick in zip(EXTENT, ("min", "min", "max", "max"), strict=True)
            )
        update = f"""UPDATE layers_clustercell c
        SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
        FROM (
            SELECT p.project_id, p.theme_id, p.cx, p.cy, {values}
            FROM (SELECT DISTINCT project_id, theme_id, cx >> {up} AS cx, cy >> {up} AS cy
                  FROM emptied) p
            -- The children by index range, and by equality too, so that many parents
            -- (a rule moving every point) can be hash-joined instead.
            JOIN layers_clustercell z ON z.project_id = p.project_id AND z.level = {child}
                AND z.cx BETWEEN p.cx << {shift} AND (p.cx << {shift}) + {side}
                AND z.cy BETWEEN p.cy << {shift} AND (p.cy << {shift}) + {side}
                AND z.cx >> {shift} = p.cx AND z.cy >> {shift} = p.cy
                AND z.theme_id = p.theme_id{replaced}
            WHERE z.n > 0
            GROUP BY 1, 2, 3, 4
        ) e
        WHERE c.project_id = e.project_id AND c.level = {level} AND c.cx = e.cx
            AND c.cy = e.cy AND c.theme_id = e.theme_id"""
        if level == parents[-1]:
            statements.append(update)
        else:
            name = f"remade_{level}"
            ctes.append(
                f"{name} AS (\n        {update}\n"
                f"        RETURNING c.project_id, c.theme_id, c.cx, c.cy, "
                f"c.minx, c.miny, c.maxx, c.maxy\n    )"
            )
            previous = name
    return f"""
    WITH {", ".join(ctes)}
    {statements[0]};
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
