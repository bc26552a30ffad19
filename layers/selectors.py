"""Clusters of contributions for a viewport, exact and fast at a million rows.

Why raw SQL: the counts come from running per-cell totals (layers_clustercell, kept by
triggers) read over a quadtree decomposition of the viewport, plus the contributions
themselves in the thin strips along its edges; no ORM query expresses that. Every value is
a bound parameter; the only SQL built from strings are column names from a fixed whitelist.

The viewport is covered by cells wholly inside it, coarse where possible, finer towards
its edges (STORED_LEVELS), then by the contributions within the last strip. Each
contribution is counted once, and only when its point lies in the viewport, so the
clusters add up exactly to the matching contributions there.
"""

from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from contributions.models import Project
from contributions.selectors import PUBLIC_GEOM, ContributionFilters
from core.postgis import STORAGE_SRID, WEB_MERCATOR_SRID, geojson_sql
from layers import cluster_index, grid
from layers.public_sql import POINT_SQL, contribution_where

MAX_VIEW_CELLS = 64  # per side, in clusters: larger viewports are cut around their centre


@dataclass
class Cluster:
    kx: int
    ky: int
    count: int
    x: float
    y: float
    extent: tuple[float, float, float, float]
    themes: dict[str, int]
    item: dict | None = None  # the contribution itself when the cluster holds one


@dataclass
class ClusterResult:
    zoom: int
    bounds: tuple[float, float, float, float]  # mercator, after capping
    capped: bool
    clusters: list[Cluster] = field(default_factory=list)
    source: str = "sql"  # or "index": what computed it (the Server-Timing header says it)

    @property
    def total(self):
        return sum(c.count for c in self.clusters)


def _aggregated(filters: ContributionFilters) -> bool:
    """Running totals know projects, themes, kinds and statuses; not communes, dates nor
    words searched."""
    return not (filters.commune or filters.created_after or filters.created_before or filters.text)


def _count_expression(filters: ContributionFilters) -> str:
    if not (filters.kinds or filters.statuses):
        return "n"
    columns = [
        column
        for (kind, status), column in grid.COUNT_COLUMNS.items()
        if (not filters.kinds or kind in filters.kinds)
        and (not filters.statuses or status in filters.statuses)
    ]
    return "(" + " + ".join(columns) + ")" if columns else "0"


def public_count(project: Project, filters: ContributionFilters) -> int | None:
    """How many public contributions match `filters`, read from the running per-cell counts
    at the coarsest stored level (a few hundred rows, however many contributions), when the
    counts know every filter; None otherwise (then count the rows)."""
    if filters.bbox or filters.touching or not _aggregated(filters):
        return None
    sql = f"""
        SELECT coalesce(sum({_count_expression(filters)}), 0) FROM layers_clustercell
        WHERE project_id = %s AND level = %s
    """  # noqa: S608 - the count expression is built from whitelisted column names
    theme_sql, theme_params = _cell_theme_filter(project, filters)
    params = [project.pk, grid.STORED_LEVELS[0], *theme_params]
    with connection.cursor() as cursor:
        cursor.execute(sql + theme_sql, params)
        return int(cursor.fetchone()[0])


def _cell_theme_filter(project, filters):
    """The theme filter on rows of layers_clustercell, as SQL and parameters."""
    if not filters.themes:
        return "", []
    return (
        " AND theme_id IN (SELECT id FROM contributions_theme"
        " WHERE project_id = %s AND slug = ANY(%s))",
        [project.pk, list(filters.themes)],
    )


def cap(bounds, zoom):
    """The viewport cut to MAX_VIEW_CELLS clusters per side around its centre."""
    x0, y0, x1, y1 = bounds
    limit = MAX_VIEW_CELLS * grid.cell_size(zoom + grid.CLUSTER_PIXELS_LEVELS)
    capped = False
    if x1 - x0 > limit:
        middle = (x0 + x1) / 2
        x0, x1, capped = middle - limit / 2, middle + limit / 2, True
    if y1 - y0 > limit:
        middle = (y0 + y1) / 2
        y0, y1, capped = middle - limit / 2, middle + limit / 2, True
    return (x0, y0, x1, y1), capped


def clusters(
    project: Project, bounds, zoom: int, filters: ContributionFilters, *, version: str | None = None
) -> ClusterResult:
    """Clusters of the project's public contributions matching `filters` in mercator `bounds`.

    With the request's data `version`, the unfiltered map is answered from the worker's
    in-memory index when it holds that version (layers.cluster_index), else by SQL.
    """
    bounds, capped = cap(bounds, zoom)
    if version is not None and not any(vars(filters).values()):
        index = cluster_index.current(project, version)
        if index is not None:
            return _from_index(index, project, bounds, capped, zoom)
    x0, y0, x1, y1 = bounds
    level = zoom + grid.CLUSTER_PIXELS_LEVELS
    chain = [lv for lv in grid.STORED_LEVELS if lv >= level] if _aggregated(filters) else []
    where_sql, where_params = contribution_where(project, filters)
    parts, params = [], []

    previous = None  # (level, ranges) of the last level used: its cells are already counted
    for stored in chain:
        ranges = grid.inner_cells(stored, x0, y0, x1, y1)
        if ranges[0] > ranges[1] or ranges[2] > ranges[3]:
            continue
        for rectangle in _ring(ranges, previous, stored):
            sql = f"""
                SELECT cx >> %s AS kx, cy >> %s AS ky, theme_id,
                       {_count_expression(filters)} AS nf, n, sx, sy, minx, miny, maxx, maxy
                FROM layers_clustercell
                WHERE project_id = %s AND level = %s
                AND cx BETWEEN %s AND %s AND cy BETWEEN %s AND %s
            """  # noqa: S608 - the count expression is built from whitelisted column names
            shift = stored - level
            theme_sql, theme_params = _cell_theme_filter(project, filters)
            part_params = [shift, shift, project.pk, stored, *rectangle, *theme_params]
            parts.append(sql + theme_sql)
            params += part_params
        previous = (stored, ranges)

    strip_sql, strip_params = _strip(bounds, level, previous, where_sql, where_params)
    parts.append(strip_sql)
    params += strip_params

    sql = f"""
        WITH parts AS ({" UNION ALL ".join(parts)}),
        by_theme AS (
            SELECT kx, ky, theme_id, sum(nf) AS nf, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy,
                   min(minx) AS minx, min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy
            FROM parts WHERE nf > 0 GROUP BY kx, ky, theme_id
        )
        SELECT b.kx, b.ky, sum(b.nf)::int, sum(b.sx) / sum(b.n), sum(b.sy) / sum(b.n),
               min(b.minx), min(b.miny), max(b.maxx), max(b.maxy),
               json_object_agg(th.slug, b.nf)
        FROM by_theme b JOIN contributions_theme th ON th.id = b.theme_id
        GROUP BY b.kx, b.ky ORDER BY b.ky, b.kx
    """  # noqa: S608 - fixed fragments and whitelisted column names; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = ClusterResult(zoom=zoom, bounds=bounds, capped=capped)
    for kx, ky, count, x, y, minx, miny, maxx, maxy, themes in rows:
        result.clusters.append(
            _cluster(result, kx, ky, count, x, y, (minx, miny, maxx, maxy), themes)
        )
    _attach_single_items(result, level, where_sql, where_params)
    return result


def _cluster(result, kx, ky, count, x, y, bounds, themes):
    # Extents are boxes of the 38 m cells holding the points (layers.grid.EXTENT_LEVEL), so
    # they may reach past the cluster's cell and the viewport: clip to both.
    x0, y0, x1, y1 = result.bounds
    size = grid.cell_size(result.zoom + grid.CLUSTER_PIXELS_LEVELS)
    cell = (kx * size - grid.ORIGIN, grid.ORIGIN - (ky + 1) * size)
    extent = (
        max(bounds[0], cell[0], x0),
        max(bounds[1], cell[1], y0),
        min(bounds[2], cell[0] + size, x1),
        min(bounds[3], cell[1] + size, y1),
    )
    x = min(max(x, extent[0]), extent[2])
    y = min(max(y, extent[1]), extent[3])
    return Cluster(kx, ky, count, x, y, extent, themes)


def _from_index(index, project, bounds, capped, zoom):
    result = ClusterResult(zoom=zoom, bounds=bounds, capped=capped, source="index")
    found, (xs, ys, ex0, ey0, ex1, ey1) = clipped_from_index(index, bounds, zoom)
    slugs, missing = index.slugs, {}
    for kx, ky, count, x, y, e0, e1, e2, e3, themes, point in zip(
        found.kx.tolist(),
        found.ky.tolist(),
        found.count.tolist(),
        xs.tolist(),
        ys.tolist(),
        ex0.tolist(),
        ey0.tolist(),
        ex1.tolist(),
        ey1.tolist(),
        found.themes.tolist(),
        found.point.tolist(),
        strict=True,
    ):
        named = {slug: n for slug, n in zip(slugs, themes, strict=True) if n}
        cluster = Cluster(kx, ky, count, x, y, (e0, e1, e2, e3), named)
        result.clusters.append(cluster)
        if count == 1:
            cluster.item = index.item(point)
            if cluster.item is None:
                missing[index.ids[point].decode()] = cluster
    for identifier, item in items_of(project, list(missing)).items():
        missing[identifier].item = item
    return result


def clipped_from_index(index, bounds, zoom):
    """The index's clusters for the viewport, with _cluster's clipping done on all at once:
    (found, (x, y, west, south, east, north) arrays)."""
    found = index.clusters(bounds, zoom)
    x0, y0, x1, y1 = bounds
    size = grid.cell_size(zoom + grid.CLUSTER_PIXELS_LEVELS)
    west, south = found.kx * size - grid.ORIGIN, grid.ORIGIN - (found.ky + 1) * size
    # The index holds the points themselves: their bounds widened to the cells the counts
    # tell extents in, as the SQL path reads them.
    minx, miny, maxx, maxy = grid.snapped_extent(found.minx, found.miny, found.maxx, found.maxy)
    ex0 = np.maximum(np.maximum(minx, west), x0)
    ey0 = np.maximum(np.maximum(miny, south), y0)
    ex1 = np.minimum(np.minimum(maxx, west + size), x1)
    ey1 = np.minimum(np.minimum(maxy, south + size), y1)
    xs = np.minimum(np.maximum(found.x, ex0), ex1)
    ys = np.minimum(np.maximum(found.y, ey0), ey1)
    return found, (xs, ys, ex0, ey0, ex1, ey1)


def items_of(project, identifiers: list[str]) -> dict[str, dict]:
    """What the map shows of single contributions (lines and areas: the index keeps no
    geometry for them), by primary key: a plan PostgreSQL makes in microseconds."""
    if not identifiers:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id::text, c.kind, th.slug, c.title, {geojson_sql(f"c.{PUBLIC_GEOM}")}
            FROM contributions_contribution c
            JOIN contributions_theme th ON th.id = c.theme_id
            WHERE c.project_id = %s AND c.id = ANY(%s::uuid[])
            """,  # noqa: S608 - a fixed column name
            [project.pk, identifiers],
        )
        return {
            identifier: {
                "id": identifier,
                "kind": kind,
                "theme": theme,
                "title": title,
                "geometry": geometry,
            }
            for identifier, kind, theme, title, geometry in cursor.fetchall()
        }


def _ring(ranges, previous, level):
    """The cells of `ranges` not already covered by the previous (coarser) level's ranges,
    as up to four index rectangles (tight ranges, so each is an index range scan)."""
    cx0, cx1, cy0, cy1 = ranges
    if previous is None:
        return [ranges]
    shift = level - previous[0]
    px0, px1, py0, py1 = previous[1]
    px0, px1 = px0 << shift, ((px1 + 1) << shift) - 1
    py0, py1 = py0 << shift, ((py1 + 1) << shift) - 1
    rectangles = [
        (cx0, px0 - 1, cy0, cy1),
        (px1 + 1, cx1, cy0, cy1),
        (px0, px1, cy0, py0 - 1),
        (px0, px1, py1 + 1, cy1),
    ]
    return [r for r in rectangles if r[0] <= r[1] and r[2] <= r[3]]


def _strip(bounds, level, previous, where_sql, where_params):
    """Contributions in the viewport outside the cells already counted."""
    x0, y0, x1, y1 = bounds
    boxes = [bounds]
    exclude_sql, exclude_params = "", []
    if previous:
        stored, (cx0, cx1, cy0, cy1) = previous
        size = grid.cell_size(stored)
        ix0, ix1 = cx0 * size - grid.ORIGIN, (cx1 + 1) * size - grid.ORIGIN
        iy0, iy1 = grid.ORIGIN - (cy1 + 1) * size, grid.ORIGIN - cy0 * size
        boxes = [
            (x0, y0, ix0, y1),
            (ix1, y0, x1, y1),
            (ix0, y0, ix1, iy0),
            (ix0, iy1, ix1, y1),
        ]
        exclude_sql = """
            AND NOT (floor((ST_X(m.p) + %s) / %s)::int BETWEEN %s AND %s
                     AND floor((%s - ST_Y(m.p)) / %s)::int BETWEEN %s AND %s)"""
        exclude_params = [grid.ORIGIN, size, cx0, cx1, grid.ORIGIN, size, cy0, cy1]
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
    size = grid.cell_size(level)
    envelope = f"ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, {WEB_MERCATOR_SRID}), {STORAGE_SRID})"
    overlap = " OR ".join([f"{PUBLIC_GEOM} && {envelope}"] * len(boxes)) or "false"
    # A point's extent is its 38 m cell's bounds, as the stored cells tell theirs.
    column, row = grid.extent_cell_sql("ST_X(m.p)", "ST_Y(m.p)")
    west, south, east, north = grid.extent_sql(column, row, column, row)
    sql = f"""
        SELECT floor((ST_X(m.p) + %s) / %s)::int AS kx, floor((%s - ST_Y(m.p)) / %s)::int AS ky,
               contributions_contribution.theme_id, 1 AS nf, 1 AS n,
               ST_X(m.p) AS sx, ST_Y(m.p) AS sy, {west} AS minx, {south} AS miny,
               {east} AS maxx, {north} AS maxy
        FROM (
            -- The fence (OFFSET 0) keeps the plan on the spatial index for these thin boxes.
            SELECT * FROM contributions_contribution WHERE {overlap} OFFSET 0
        ) AS contributions_contribution
        CROSS JOIN LATERAL (SELECT {POINT_SQL} AS p) m
        WHERE {where_sql}
        AND ST_X(m.p) BETWEEN %s AND %s AND ST_Y(m.p) BETWEEN %s AND %s {exclude_sql}
    """  # noqa: S608 - fixed fragments; values are parameters
    params = [grid.ORIGIN, size, grid.ORIGIN, size]
    for box in boxes:
        # The envelope is widened a little: reprojection must not lose an edge point.
        params += [box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1]
    params += [*where_params, x0, x1, y0, y1, *exclude_params]
    return sql, params


def _attach_single_items(result, level, where_sql, where_params):
    """Clusters of one contribution carry that contribution (id, kind, theme, title)."""
    singles = {(c.kx, c.ky): c for c in result.clusters if c.count == 1}
    if not singles:
        return
    x0, y0, x1, y1 = result.bounds
    size = grid.cell_size(level)
    boxes = [c.extent for c in singles.values()]
    sql = f"""
        SELECT floor((ST_X(m.p) + %s) / %s)::int, floor((%s - ST_Y(m.p)) / %s)::int,
               contributions_contribution.id, contributions_contribution.kind, th.slug,
               contributions_contribution.title,
               {geojson_sql(f"contributions_contribution.{PUBLIC_GEOM}")}
        FROM unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[]) AS b(x0, y0, x1, y1)
        JOIN contributions_contribution ON contributions_contribution.{PUBLIC_GEOM}
             && ST_Transform(ST_MakeEnvelope(b.x0 - 1, b.y0 - 1, b.x1 + 1, b.y1 + 1,
                                             {WEB_MERCATOR_SRID}), {STORAGE_SRID})
        JOIN contributions_theme th ON th.id = contributions_contribution.theme_id
        CROSS JOIN LATERAL (SELECT {POINT_SQL} AS p) m
        WHERE {where_sql}
        AND ST_X(m.p) BETWEEN %s AND %s AND ST_Y(m.p) BETWEEN %s AND %s
    """  # noqa: S608 - fixed fragments; values are parameters
    params = [
        grid.ORIGIN,
        size,
        grid.ORIGIN,
        size,
        [b[0] for b in boxes],
        [b[1] for b in boxes],
        [b[2] for b in boxes],
        [b[3] for b in boxes],
        *where_params,
        x0,
        x1,
        y0,
        y1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kx, ky, identifier, kind, theme, title, geometry in cursor.fetchall():
            cluster = singles.get((kx, ky))
            if cluster is not None and cluster.item is None:
                cluster.item = {
                    "id": str(identifier),
                    "kind": kind,
                    "theme": theme,
                    "title": title,
                    "geometry": geometry,
                }
