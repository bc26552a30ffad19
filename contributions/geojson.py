"""Strict parsing of the GeoJSON Feature a resident sends (RFC 7946: longitude, latitude, WGS84).

Everything a client can get wrong ends as a GeoJSONError with a machine-readable code, so the
API answers with a 4xx and never a 500. Shapes are checked by hand before any GEOS object is
built: GEOS is never handed user strings (WKT) and GDAL never sees a user-supplied CRS.
"""

import json
import math
from dataclasses import dataclass

from django.contrib.gis.geos import (
    GEOSException,
    GEOSGeometry,
    LinearRing,
    LineString,
    Point,
    Polygon,
)
from django.utils.translation import gettext as _

from core.postgis import STORAGE_SRID

MAX_VERTICES = 10_000
MAX_BODY_BYTES = 1_000_000

SUPPORTED_TYPES = ("Point", "LineString", "Polygon")
MULTI_TYPES = ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")


class GeoJSONError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ParsedFeature:
    geometry: GEOSGeometry  # srid 4326, a Point, LineString or Polygon (single part), valid
    properties: dict


def parse_feature(body: bytes | str) -> ParsedFeature:
    """A Feature (or a bare geometry) from a request body, or GeoJSONError."""
    obj = _decode(body)
    if not isinstance(obj, dict):
        raise _malformed(_("The data must be a GeoJSON Feature object."))
    kind = obj.get("type")
    if isinstance(kind, str) and kind in SUPPORTED_TYPES + MULTI_TYPES:
        return ParsedFeature(geometry=parse_geometry(obj), properties={})
    if kind != "Feature":
        raise _malformed(_("The data must be a GeoJSON object whose type is “Feature”."))
    _refuse_crs(obj)
    properties = obj.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        raise _malformed(_("The feature’s “properties” must be an object or null."))
    return ParsedFeature(geometry=parse_geometry(obj.get("geometry")), properties=properties)


def parse_geometry(obj: object) -> GEOSGeometry:
    """A valid single-part GEOS geometry (srid 4326) from a decoded GeoJSON geometry object."""
    if obj is None:
        raise GeoJSONError("missing_geometry", _("The feature has no geometry."))
    if not isinstance(obj, dict):
        raise _malformed(_("The geometry must be a GeoJSON geometry object."))
    _refuse_crs(obj)
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in SUPPORTED_TYPES + MULTI_TYPES:
        raise _malformed(_("The geometry’s “type” must be Point, LineString or Polygon."))
    if kind in MULTI_TYPES:
        raise GeoJSONError(
            "unsupported_geometry_type",
            _("A %(type)s is not accepted: send one point, one line or one area at a time.")
            % {"type": kind},
            status=422,
        )
    if "coordinates" not in obj:
        raise _malformed(_("The geometry has no “coordinates”."))
    coordinates = obj["coordinates"]
    if kind == "Point":
        return _build(kind, _position(coordinates))
    if kind == "LineString":
        return _build(kind, _line(coordinates))
    return _build(kind, _rings(coordinates))


def _decode(body: bytes | str) -> object:
    if isinstance(body, str):
        # Every character takes at least one byte: refuse huge strings before encoding them.
        if len(body) > MAX_BODY_BYTES:
            raise _too_large()
        try:
            body = body.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates
            raise _bad_json() from exc
    if len(body) > MAX_BODY_BYTES:
        raise _too_large()
    # ValueError covers bad UTF-8, bad JSON and over-long integers; RecursionError, deep nesting.
    try:
        return json.loads(body.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise _bad_json() from exc


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _refuse_crs(obj: dict) -> None:
    if "crs" in obj:
        raise GeoJSONError(
            "crs_not_supported",
            _(
                "The “crs” member is not supported: GeoJSON coordinates are always longitude, "
                "latitude in WGS84 (EPSG:4326). Remove it and send WGS84 coordinates."
            ),
        )


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    # JSON integers can be arbitrarily large; only floats can be infinite (e.g. 1e400).
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _position(value: object) -> tuple[float, float]:
    """(lon, lat) from [lon, lat] or [lon, lat, altitude]; the altitude is not kept."""
    if not (isinstance(value, list) and 2 <= len(value) <= 3 and all(map(_is_number, value))):
        raise _malformed(
            _(
                "Each position must be a list of two or three numbers: "
                "longitude, latitude and optionally altitude."
            )
        )
    lon, lat = value[0], value[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeoJSONError(
            "coordinates_out_of_range",
            _(
                "The position %(lon)s, %(lat)s is outside longitude -180 to 180, latitude -90 "
                "to 90. The coordinates may be in metres (a projected system) or swapped "
                "(latitude first): send longitude, latitude in WGS84."
            )
            % {"lon": _show(lon), "lat": _show(lat)},
        )
    return float(lon), float(lat)


def _show(number: int | float) -> str:
    text = str(number)
    return text if len(text) <= 24 else text[:20] + "…"


def _positions(value: object, budget: int) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise _malformed(_("The coordinates must be a list of positions."))
    # len() is free: refuse oversized shapes before looking at any position.
    if len(value) > budget:
        raise _too_many_vertices()
    return [_position(item) for item in value]


def _rings(value: object) -> list[list[tuple[float, float]]]:
    if not isinstance(value, list):
        raise _malformed(_("The coordinates of an area must be a list of rings."))
    rings, budget = [], MAX_VERTICES
    for ring in value:
        rings.append(_positions(ring, budget))
        budget -= len(rings[-1])
    if not rings:
        raise _invalid(_("The area is empty: it needs at least one ring."))
    for number, ring in enumerate(rings, start=1):
        if len(ring) < 4:
            raise _invalid(
                _(
                    "Ring %(number)s of the area is too short: it has %(count)s positions and "
                    "needs at least 4 (three corners, then the first one repeated)."
                )
                % {"number": number, "count": len(ring)}
            )
        if ring[0] != ring[-1]:
            raise _invalid(
                _(
                    "Ring %(number)s of the area is not closed: its last position must be the "
                    "same as its first."
                )
                % {"number": number}
            )
    return rings


def _line(value: object) -> list[tuple[float, float]]:
    positions = _positions(value, MAX_VERTICES)
    if len(set(positions)) < 2:
        raise _invalid(_("A line needs at least two different positions."))
    return positions


def _build(kind: str, shape) -> GEOSGeometry:
    """GEOS geometry from positions already checked by hand; GEOS then judges the shape."""
    try:
        if kind == "Point":
            geom = Point(*shape, srid=STORAGE_SRID)
        elif kind == "LineString":
            geom = LineString(shape, srid=STORAGE_SRID)
        else:
            geom = Polygon(
                *(LinearRing(ring, srid=STORAGE_SRID) for ring in shape), srid=STORAGE_SRID
            )
        empty, valid = geom.empty, geom.valid
    except GEOSException as exc:  # not expected after the checks above, but never a 500
        raise _invalid(_("The geometry could not be built from these coordinates.")) from exc
    if empty:
        raise _invalid(_("The geometry is empty."))
    if not valid:
        raise _invalid(
            _("The geometry is not valid (%(reason)s): an area’s outline must not cross itself.")
            % {"reason": geom.valid_reason}
        )
    return geom


def _malformed(message: str) -> GeoJSONError:
    return GeoJSONError("malformed_geojson", message)


def _invalid(message: str) -> GeoJSONError:
    return GeoJSONError("invalid_geometry", message, status=422)


def _bad_json() -> GeoJSONError:
    return GeoJSONError("malformed_json", _("The data is not valid UTF-8 JSON."))


def _too_large() -> GeoJSONError:
    return GeoJSONError(
        "body_too_large",
        _("The data is larger than %(max)s bytes.") % {"max": MAX_BODY_BYTES},
        status=413,
    )


def _too_many_vertices() -> GeoJSONError:
    return GeoJSONError(
        "too_many_vertices",
        _("The shape has more than %(max)s points: simplify it and send it again.")
        % {"max": MAX_VERTICES},
        status=413,
    )
