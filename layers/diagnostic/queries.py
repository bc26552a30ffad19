"""The diagnostic's reads from PostGIS.

Why raw SQL: every figure here is an aggregate over up to a million rows (grid counts on
reprojected coordinates, per-commune pivots, DBSCAN); PostgreSQL computes them in one pass
each and returns thousands of rows instead of a million model instances. The WHERE clause is
the public list's own (`layers.public_sql.contribution_where`), so the bundle holds exactly
what the map and the API show for the same filters. Every value is a bound parameter; the
only SQL built from strings are that compiled clause and fixed fragments.
"""

from dataclasses import dataclass

import numpy as np
from django.db import connection

from contributions.filters import ContributionFilters
from contributions.models import DECISION_STATUSES, PUBLIC_GEOM, Kind, Project, answered_sql
from core.postgis import METRIC_SRID, STORAGE_SRID, geojson_sql
from layers.public_sql import contribution_where

# Statuses that are themselves an answer (the bundle's summary states the definition).
ANSWER_STATUSES = DECISION_STATUSES

# One point per contribution: itself, or a point on a line or an area; at its public location,
# since the bundle is shown at meetings and may be published (docs/privacy.md).
POINT_SQL = (
    f"CASE WHEN GeometryType(c.{PUBLIC_GEOM}) = 'POINT' THEN c.{PUBLIC_GEOM}"
    f" ELSE ST_PointOnSurface(c.{PUBLIC_GEOM}) END"
)
METRIC_POINT_SQL = f"ST_Transform({POINT_SQL}, {METRIC_SRID})"


@dataclass(frozen=True)
class Scope:
    """The contributions a diagnostic describes: a project and the list's filters."""

    project: Project
    filters: ContributionFilters

    def where(self):
        """(SQL, params) of the public list's WHERE clause on contributions_contribution."""
        return contribution_where(self.project, self.filters)

    def source(self):
        """(SQL, params) of a FROM item `c` holding the contributions in scope."""
        where_sql, params = self.where()
        sql = f"(SELECT * FROM contributions_contribution WHERE {where_sql}) c"  # noqa: S608
        return sql, list(params)


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class GridCounts:
    """Contributions per square cell of `cell` metres in EPSG:3035, split by theme."""

    cell: float
    i: np.ndarray  # column index: floor(x / cell)
    j: np.ndarray  # row index: floor(y / cell), growing northwards
    theme_id: np.ndarray
    n: np.ndarray
    sx: np.ndarray  # sums of the points' coordinates, for weighted centroids
    sy: np.ndarray

    @property
    def total(self) -> int:
        return int(self.n.sum())


def grid_counts(scope: Scope, cell: float) -> GridCounts:
    """Counts per grid cell and theme, computed by PostgreSQL (one pass, GROUP BY)."""
    source, params = scope.source()
    sql = f"""
        SELECT floor(ST_X(m.p) / %s)::int AS i, floor(ST_Y(m.p) / %s)::int AS j,
               c.theme_id, count(*)::int, sum(ST_X(m.p)), sum(ST_Y(m.p))
        FROM {source}
        CROSS JOIN LATERAL (SELECT {METRIC_POINT_SQL} AS p) m
        GROUP BY 1, 2, 3
    """  # noqa: S608 - fixed fragments and the compiled WHERE clause; values are parameters
    rows = _rows(sql, [float(cell), float(cell), *params])
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return GridCounts(cell, empty, empty, empty, empty, empty.astype(float), empty * 1.0)
    i, j, theme, n, sx, sy = (np.array(column) for column in zip(*rows, strict=True))
    return GridCounts(
        cell,
        i.astype(np.int64),
        j.astype(np.int64),
        theme.astype(np.int64),
        n.astype(np.int64),
        sx.astype(float),
        sy.astype(float),
    )


def themes(project: Project) -> list[dict]:
    """The project's themes in display order: id, slug, name (per language), colour."""
    return [
        {"id": pk, "slug": slug, "name": name, "colour": colour}
        for pk, slug, name, colour in project.themes.order_by("position", "slug").values_list(
            "id", "slug", "name", "colour"
        )
    ]


def communes(project: Project, *, simplify_m: float | None = None) -> list[dict]:
    """The perimeter's communes with their boundary as GeoJSON (WGS 84, RFC 7946) and a label
    point inside each.

    With `simplify_m`, boundaries are simplified by that many metres (for the web map).
    """
    geom = "t.geom"
    params: list = []
    if simplify_m:
        geom = (
            f"ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(t.geom, {METRIC_SRID}), %s),"
            f" {STORAGE_SRID})"
        )
        params.append(float(simplify_m))
    sql = f"""
        SELECT t.id, t.code, t.name, t.population, t.population_year, t.country,
               {geojson_sql(geom)},
               ST_X(t.label_point),
               ST_Y(t.label_point)
        FROM territories_territory t
        JOIN territories_territory_members m ON m.to_territory_id = t.id
        WHERE m.from_territory_id = %s
        ORDER BY t.code
    """  # noqa: S608 - fixed fragments; values are parameters
    rows = _rows(sql, [*params, project.perimeter_id])
    return [
        {
            "id": pk,
            "code": code,
            "name": name,
            "population": pop,
            "population_year": year if pop is not None else None,
            "country": country,
            "geom": g,
            "label": (x, y),  # a point inside the commune, where its name goes
        }
        for pk, code, name, pop, year, country, g, x, y in rows
    ]


def perimeter(project: Project, *, simplify_m: float | None = None) -> dict:
    """The project's perimeter as GeoJSON (WGS 84)."""
    geom = "geom"
    params: list = []
    if simplify_m:
        geom = (
            f"ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(geom, {METRIC_SRID}), %s),"
            f" {STORAGE_SRID})"
        )
        params.append(float(simplify_m))
    sql = f"SELECT {geojson_sql(geom)} FROM territories_territory WHERE id = %s"  # noqa: S608
    return _rows(sql, [*params, project.perimeter_id])[0][0]


def perimeter_metric(project: Project, *, buffer_m: float = 0.0):
    """(WKB of the perimeter buffered by `buffer_m` in EPSG:3035, its bounds)."""
    sql = f"""
        SELECT ST_AsBinary(b), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
        FROM (SELECT ST_Buffer(ST_Transform(geom, {METRIC_SRID}), %s) AS b
              FROM territories_territory WHERE id = %s) s
    """  # noqa: S608 - fixed fragments; values are parameters
    wkb, *bounds = _rows(sql, [float(buffer_m), project.perimeter_id])[0]
    return bytes(wkb), tuple(bounds)


def per_commune(scope: Scope) -> dict:
    """Per commune code (None: attributed to no commune): total, by kind, by theme id, votes,
    answered. One pass with FILTER aggregates. Grouped by the official code, not the row, so
    contributions attributed to an older boundary generation count with the current one; and
    by the public commune (that of the public location), as the bundle may be published and
    its per-commune counts must not tell more than its density map (docs/privacy.md)."""
    source, params = scope.source()
    kinds = ", ".join(
        f"count(*) FILTER (WHERE c.kind = %s)::int AS k{n}" for n, _ in enumerate(Kind)
    )
    answered, answered_params = answered_sql("c")
    sql = f"""
        SELECT t.code, c.theme_id, count(*)::int, {kinds},
               coalesce(sum(c.vote_count), 0)::bigint,
               count(*) FILTER (WHERE {answered})::int
        FROM {source}
        LEFT JOIN territories_territory t ON t.id = c.public_commune_id
        GROUP BY 1, 2
    """  # noqa: S608 - fixed fragments and the compiled WHERE clause; values are parameters
    rows = _rows(sql, [*Kind.values, *answered_params, *params])
    result: dict = {}
    for code, theme_id, total, *rest in rows:
        by_kind, votes, answered = rest[: len(Kind.values)], rest[-2], rest[-1]
        entry = result.setdefault(code, empty_counts())
        add_counts(
            entry,
            {
                "total": total,
                "kinds": dict(zip(Kind.values, by_kind, strict=True)),
                "themes": {theme_id: total},
                "votes": int(votes),
                "answered": answered,
            },
        )
    return result


def empty_counts() -> dict:
    """The figures of a group of contributions with none in it."""
    return {
        "total": 0,
        "kinds": dict.fromkeys(Kind.values, 0),
        "themes": {},
        "votes": 0,
        "answered": 0,
    }


def add_counts(entry: dict, more: dict) -> dict:
    """Adds the figures of `more` to `entry` (both as per_commune gives them)."""
    for key in ("total", "votes", "answered"):
        entry[key] += more[key]
    for kind, count in more["kinds"].items():
        entry["kinds"][kind] += count
    for theme_id, count in more["themes"].items():
        entry["themes"][theme_id] = entry["themes"].get(theme_id, 0) + count
    return entry


def by_status(scope: Scope) -> dict[str, int]:
    source, params = scope.source()
    sql = f"SELECT c.status, count(*)::int FROM {source} GROUP BY 1 ORDER BY 2 DESC"  # noqa: S608
    return dict(_rows(sql, params))


def period(scope: Scope):
    """(first, last) creation dates, and counts per ISO week (Monday, count)."""
    source, params = scope.source()
    sql = f"""
        SELECT date_trunc('week', c.created_at)::date, count(*)::int, min(c.created_at),
               max(c.created_at)
        FROM {source} GROUP BY 1 ORDER BY 1
    """  # noqa: S608
    rows = _rows(sql, params)
    if not rows:
        return None, None, []
    return (
        min(r[2] for r in rows),
        max(r[3] for r in rows),
        [(week, count) for week, count, _first, _last in rows],
    )


def dbscan(x: np.ndarray, y: np.ndarray, *, eps: float, minpoints: int) -> np.ndarray:
    """PostGIS ST_ClusterDBSCAN over points given in EPSG:3035; -1 for noise."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    sql = f"""
        SELECT coalesce(ST_ClusterDBSCAN(ST_SetSRID(ST_MakePoint(p.x, p.y), {METRIC_SRID}),
                                         eps => %s, minpoints => %s) OVER (), -1)
        FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS p(x, y, k)
        ORDER BY p.k
    """  # noqa: S608 - fixed fragments; values are parameters
    rows = _rows(sql, [float(eps), int(minpoints), x.tolist(), y.tolist()])
    return np.array([r[0] for r in rows], dtype=np.int64)


def hulls(x: np.ndarray, y: np.ndarray, label: np.ndarray, *, buffer_m: float) -> dict:
    """Per label: the concave hull of its points buffered by `buffer_m`, as GeoJSON in WGS 84,
    and its area in km²."""
    if len(x) == 0:
        return {}
    sql = f"""
        SELECT h.label, {geojson_sql(f"ST_Transform(h.g, {STORAGE_SRID})")}, ST_Area(h.g) / 1e6
        FROM (
            SELECT p.label,
                   ST_Buffer(ST_ConcaveHull(ST_Collect(ST_SetSRID(ST_MakePoint(p.x, p.y),
                                                                  {METRIC_SRID})), 0.5), %s) AS g
            FROM unnest(%s::float8[], %s::float8[], %s::int[]) AS p(x, y, label)
            GROUP BY p.label
        ) h
    """  # noqa: S608 - fixed fragments; values are parameters
    rows = _rows(sql, [float(buffer_m), x.tolist(), y.tolist(), label.tolist()])
    return {label: (geojson, area) for label, geojson, area in rows}


def weekly_by_theme(scope: Scope) -> list[tuple]:
    """(Monday of the ISO week, theme id, count) over the contributions in scope, by creation
    date: the weeks of `period`, split by theme (one GROUP BY)."""
    source, params = scope.source()
    sql = f"""
        SELECT date_trunc('week', c.created_at)::date, c.theme_id, count(*)::int
        FROM {source} GROUP BY 1, 2 ORDER BY 1, 2
    """  # noqa: S608 - fixed fragments and the compiled WHERE clause; values are parameters
    return _rows(sql, params)
