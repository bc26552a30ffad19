"""PostGIS in one place: the storage SRID, the metric and web CRSs, and the GeoFunc wrappers
for functions the ORM lacks (none is needed today: querysets use Django's own, and raw SQL
fast paths name PostGIS functions directly, with these SRIDs)."""

STORAGE_SRID = 4326
# Metric CRS for distance and buffer work across France and Italy (ETRS89 / LAEA Europe).
METRIC_SRID = 3035
# The web map's CRS: vector tiles and the running per-cell counts are in Web Mercator.
WEB_MERCATOR_SRID = 3857

# GeoJSON leaves the database with 6 decimals (about 0.1 m): finer would invent accuracy that
# a tap on a phone or a 1:25,000 boundary does not have (docs/geojson.md).
GEOJSON_DIGITS = 6


def geojson_sql(expression: str, digits: int = GEOJSON_DIGITS) -> str:
    """SQL writing an SQL geometry expression as RFC 7946 GeoJSON (json): rings by the
    right-hand rule (exterior counterclockwise, holes clockwise) whatever the computation
    behind the expression produced, and `digits` decimals. Every GeoJSON output uses it."""
    return f"ST_AsGeoJSON(ST_ForcePolygonCCW({expression}), {int(digits)})::json"
