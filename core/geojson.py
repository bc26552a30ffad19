"""GeoJSON written in Python (a page's embedded shape, a person's data), as the SQL outputs
write it (core.postgis.geojson_sql): RFC 7946 rings, GEOJSON_DIGITS decimals."""

import shapely

from core.postgis import GEOJSON_DIGITS


def geometry(geom) -> dict | None:
    """A GEOS geometry (WGS 84) as an RFC 7946 geometry object."""
    if geom is None:
        return None
    shape = shapely.orient_polygons(shapely.from_wkb(bytes(geom.wkb)))
    return _rounded(shapely.geometry.mapping(shape))


def _rounded(value):
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    if isinstance(value, float):
        return round(value, GEOJSON_DIGITS)
    return value
