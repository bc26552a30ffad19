"""Reads on territories: containment with a tolerance, attribution, lookups by point.

Point checks are the hot path of every contribution write: they go through an in-process
index of the subdivided pieces (territories.containment). Other lookups are raw SQL over the
pieces (a GiST hit on a piece of at most a few dozen vertices), parameterised.
"""

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.db.models import OuterRef, Subquery

from core.postgis import STORAGE_SRID, geojson_sql
from territories import containment
from territories.functions import fold_sql
from territories.models import Territory, TerritoryKind, TerritoryNow

# Gaps between boundary sources are narrow: a point in one goes to the nearest commune
# within this distance, otherwise to none (a point in Monaco is in no French commune).
ATTRIBUTION_GAP_M = 100.0
# Inside a perimeter, gaps can be wider (simplified sources): the nearest member wins.
PERIMETER_GAP_M = 5_000.0


def _one(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def covers_point(territory_id: int, lon: float, lat: float, tolerance_m: float = 0.0) -> bool:
    """Whether the point is inside the territory (its edge included) or within the tolerance."""
    return containment.index_for(territory_id).covers_point(lon, lat, tolerance_m)


def covers_point_in_database(
    territory_id: int, lon: float, lat: float, tolerance_m: float = 0.0
) -> bool:
    """The same answer as covers_point, computed by PostGIS over the pieces."""
    return bool(
        _one(
            "SELECT territories_covers(%s, ST_Point(%s, %s, %s), %s)",
            [territory_id, lon, lat, STORAGE_SRID, tolerance_m],
        )
    )


def covers(territory: Territory, geom: GEOSGeometry, tolerance_m: float = 0.0) -> bool:
    """Whether a point, line or area lies inside the territory, give or take the tolerance."""
    if geom.geom_type == "Point":
        return covers_point(territory.pk, geom.x, geom.y, tolerance_m)
    return bool(
        _one(
            "SELECT territories_covers(%s, ST_GeomFromEWKB(%s), %s)",
            [territory.pk, bytes(_storage(geom).ewkb), tolerance_m],
        )
    )


def distance_m(territory: Territory, geom: GEOSGeometry) -> float:
    """Metres from the geometry's farthest vertex to the territory (0 when all are inside)."""
    value = _one(
        """
        SELECT coalesce(max(near.d), 0)
        FROM ST_DumpPoints(ST_GeomFromEWKB(%(ewkb)s)) AS v,
        LATERAL (
            SELECT min(ST_Distance(c.geom::geography, v.geom::geography)) AS d
            FROM (SELECT geom FROM territories_territorypiece WHERE territory_id = %(id)s
                  ORDER BY geom <-> v.geom LIMIT 8) AS c
        ) AS near
        """,
        {"ewkb": bytes(_storage(geom).ewkb), "id": territory.pk},
    )
    return float(value or 0.0)


def territories_at(lon: float, lat: float, kind: str | None = None):
    """Current territories containing the point, smallest first."""
    ids = (
        Territory.objects.current()
        .filter(pieces__geom__intersects=Point(lon, lat, srid=STORAGE_SRID))
        .values("pk")
    )
    territories = Territory.objects.filter(pk__in=ids)
    if kind:
        territories = territories.filter(kind=kind)
    return territories.order_by("area_m2", "code")


def attribute(
    geom: GEOSGeometry,
    kind: str = TerritoryKind.COMMUNE,
    *,
    within: Territory | None = None,
    max_gap_m: float | None = None,
) -> Territory | None:
    """The one current territory of a kind that a geometry belongs to.

    The geometry's point on surface decides. Where boundary sources overlap, the smallest
    territory wins, then the lowest code, so the answer is always the same. In a gap between
    territories, the nearest within `max_gap_m` wins. `within` (a perimeter) restricts the
    answer to its members and widens the gap rule, so whatever the perimeter accepts gets one.
    The rule itself is the SQL function territories_attribute (also used by triggers).
    """
    if max_gap_m is None:
        max_gap_m = PERIMETER_GAP_M if within else ATTRIBUTION_GAP_M
    territory_id = _one(
        "SELECT territories_attribute(ST_GeomFromEWKB(%s), %s, %s, %s)",
        [bytes(_storage(geom).ewkb), kind, within.pk if within else None, max_gap_m],
    )
    return Territory.objects.get(pk=territory_id) if territory_id else None


# A boundary simplified by %(tol)s metres (about, in degrees) when asked, for light maps.
SIMPLIFIED = (
    "CASE WHEN %(tol)s > 0 THEN ST_SimplifyPreserveTopology(t.geom, %(tol)s / 111320.0)"
    " ELSE t.geom END"
)
SIMPLIFIED_MULTI = (
    "CASE WHEN %(tol)s > 0 THEN ST_Multi(ST_SimplifyPreserveTopology(t.geom, %(tol)s / 111320.0))"
    " ELSE t.geom END"
)


def territory_geojson(territory: Territory, simplify_m: float = 0.0) -> str:
    """The territory as a GeoJSON Feature, built in the database, optionally simplified."""
    return _one(
        f"""
        SELECT json_build_object(
            'type', 'Feature',
            'id', t.slug,
            'geometry', {geojson_sql(SIMPLIFIED_MULTI)},
            'properties', json_build_object(
                'slug', t.slug, 'name', t.name, 'code', t.code, 'kind', t.kind,
                'country', t.country, 'population', t.population,
                'area_km2', round((t.area_m2 / 1e6)::numeric, 3),
                'generation', t.generation, 'parent', parent.slug)
        )::text
        FROM territories_territory t
        LEFT JOIN territories_territory parent ON parent.id = t.parent_id
        WHERE t.id = %(id)s
        """,  # noqa: S608 - a fixed fragment (geojson_sql); values are parameters
        {"id": territory.pk, "tol": simplify_m},
    )


def _storage(geom):
    if geom.srid in (None, STORAGE_SRID):
        return GEOSGeometry(geom.wkb, srid=STORAGE_SRID)
    return geom.transform(STORAGE_SRID, clone=True)


def member_communes_geojson(perimeter: Territory, simplify_m: float = 0.0) -> str:
    """The current communes of a perimeter as one FeatureCollection, built in the database."""
    return _one(
        f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', coalesce(json_agg(json_build_object(
                'type', 'Feature',
                'id', t.code,
                'geometry', {geojson_sql(SIMPLIFIED)},
                'properties', json_build_object('code', t.code, 'name', t.name)
            ) ORDER BY t.name), '[]'::json)
        )::text
        FROM territories_territory t
        JOIN territories_territory_members m ON m.to_territory_id = t.id
        WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL
        """,  # noqa: S608 - a fixed fragment (geojson_sql); values are parameters
        {"perimeter": perimeter.pk, "tol": simplify_m},
    )


def find_places(perimeter: Territory, text: str, limit: int = 8, language: str = "") -> list[dict]:
    """Communes of the perimeter whose name, or one of their other names (La Brigue, Nizza,
    Vintimille: `TerritoryName`), holds the text (accents and case ignored), with a point
    inside each to centre the map on: names that start with the text come first. `also` is
    the other name that matched, when the official one did not (an exonym in the reader's
    `language` preferred)."""
    text = text.strip()
    if not text:
        return []
    # The other name that holds the text, the reader's language first.
    other_name = other_name_sql(
        "t",
        "%(language)s",
        where=f"{fold_sql('n.name')} LIKE '%%' || {fold_sql('%(text)s')} || '%%'",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.code, t.name, CASE WHEN NOT own.hit THEN alt.name END,
                   ST_X(a.p), ST_Y(a.p),
                   ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)
            FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id
            CROSS JOIN LATERAL (SELECT territories_anchor(t.geom) AS p) a
            CROSS JOIN LATERAL (
                SELECT {fold_sql("t.name")}
                       LIKE '%%' || {fold_sql("%(text)s")} || '%%' AS hit
            ) own
            LEFT JOIN LATERAL ({other_name}) alt ON true
            WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL
              AND (own.hit OR alt.name IS NOT NULL)
            ORDER BY {fold_sql("CASE WHEN own.hit THEN t.name ELSE alt.name END")}
                     LIKE {fold_sql("%(text)s")} || '%%' DESC, t.name
            LIMIT %(limit)s
            """,  # noqa: S608 - a fixed fragment (other_name_sql); values are parameters
            {
                "perimeter": perimeter.pk,
                "text": text[:100],
                "limit": limit,
                "language": language,
            },
        )
        return [
            {
                "code": code,
                "name": name,
                "also": also,
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "bbox": [round(v, 6) for v in (x0, y0, x1, y1)],
            }
            for code, name, also, lon, lat, x0, y0, x1, y1 in cursor.fetchall()
        ]


def other_name_sql(territory: str, language: str, *, where: str = "true") -> str:
    """SQL for the other name (`TerritoryName`) of the territory row aliased `territory` that
    passes `where` (over `n`), one only: a name in the reader's `language` (a placeholder)
    first, then alphabetical. The one rule for showing a place by the name its reader uses:
    the place search and the basemap's labels (display_name_sql) read it."""
    return f"""
        SELECT n.name FROM territories_territoryname n
        WHERE n.kind = {territory}.kind AND n.code = {territory}.code AND ({where})
        ORDER BY n.language = {language} DESC, n.name
        LIMIT 1"""  # noqa: S608 - aliases and placeholders fixed by the callers


def display_name_sql(territory: str, language: str) -> str:
    """SQL for the name a reader of `language` (a placeholder) sees for the territory row
    aliased `territory`: its other name in that language (Nizza in Italian, La Brigue in
    French), else its official name."""
    # A spelling of the official name (Mondovi for Mondovì) helps the search, not the reader.
    same = f"{fold_sql('n.name')} = {fold_sql(f'{territory}.name')}"
    name = other_name_sql(territory, language, where=f"n.language = {language} AND NOT {same}")
    return f"coalesce(({name}), {territory}.name)"


def current_name(field: str):
    """An annotation: the name, as it is now, of the territory `field` points to (after any
    boundary re-import), read from `territories_current_of` (TerritoryNow)."""
    return Subquery(TerritoryNow.objects.filter(pk=OuterRef(field)).values("name")[:1])
