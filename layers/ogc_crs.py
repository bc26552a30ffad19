"""The coordinate reference systems the OGC API offers (Part 2, CRS by reference): the one
list, read by the collection documents, the `crs` and `bbox-crs` checks and the SQL that
writes geometries in them.

Axis order is the CRS's own, as Part 2 requires: CRS84 is longitude, latitude; EPSG:4326 is
latitude, longitude; most projected CRSs are easting, northing, but EPSG:3035 (ETRS89 / LAEA
Europe) is northing, easting. The `bbox` of `bbox-crs` is in the same order. Storage is
EPSG:4326 with longitude first (PostGIS), i.e. CRS84 coordinates.
"""

import math
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.postgis import GEOJSON_DIGITS, METRIC_SRID, STORAGE_SRID, WEB_MERCATOR_SRID, geojson_sql

EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int  # the PostGIS SRID the geometries are transformed to
    north_first: bool  # axis order: (north, east) rather than (east, north)
    # Decimals written: centimetres for metres, GEOJSON_DIGITS (about 0.1 m) for degrees.
    digits: int
    # Where a bbox in this CRS makes sense, as (min east, min north, max east, max north):
    # the EPSG area of use, widened; a box beyond it is refused rather than projected.
    bounds: tuple[float, float, float, float]

    @property
    def label(self):
        return "CRS84" if self.uri == CRS84_URI else f"EPSG:{self.srid}"


_DEGREES = (-180.0, -90.0, 180.0, 90.0)

# The offered CRSs, the storage one first. Adding one is a row here (and a check that PostGIS
# knows its SRID: tests/layers/test_ogc_crs.py compares every row with PROJ's definition).
CRSS = (
    Crs(CRS84_URI, STORAGE_SRID, False, GEOJSON_DIGITS, _DEGREES),
    Crs(EPSG_URI + str(STORAGE_SRID), STORAGE_SRID, True, GEOJSON_DIGITS, _DEGREES),
    # RGF93 v1 / Lambert-93, France's official projection.
    Crs(EPSG_URI + "2154", 2154, False, 2, (-1_000_000, 5_500_000, 2_000_000, 7_700_000)),
    # WGS 84 / UTM zone 32N, which the Italian side works in.
    Crs(EPSG_URI + "32632", 32632, False, 2, (-500_000, -1_000_000, 1_500_000, 9_400_000)),
    # ETRS89-extended / LAEA Europe, the European statistical grid (northing first).
    Crs(EPSG_URI + str(METRIC_SRID), METRIC_SRID, True, 2, (-1_000_000, 0, 9_000_000, 8_000_000)),
    # WGS 84 / Pseudo-Mercator, the web maps' CRS.
    Crs(
        EPSG_URI + str(WEB_MERCATOR_SRID),
        WEB_MERCATOR_SRID,
        False,
        2,
        (-20_037_508.35, -20_048_966.11, 20_037_508.35, 20_048_966.11),
    ),
)
DEFAULT = CRSS[0]
STORAGE = CRSS[0]
URIS = [crs.uri for crs in CRSS]

_BY_NAME = {}
for _crs in CRSS:
    _BY_NAME[_crs.uri] = _crs
    _BY_NAME[_crs.uri.replace("http://", "https://")] = _crs
    if _crs is not DEFAULT:
        _BY_NAME[f"epsg:{_crs.srid}"] = _crs
        _BY_NAME[f"urn:ogc:def:crs:epsg::{_crs.srid}"] = _crs
_BY_NAME["ogc:crs84"] = _BY_NAME["crs84"] = _BY_NAME["urn:ogc:def:crs:ogc:1.3:crs84"] = DEFAULT


def lookup(value, *, parameter="crs"):
    """The Crs a `crs` or `bbox-crs` value names: its URI, or EPSG:n, OGC:CRS84, a URN or a
    safe CURIE ([EPSG:n]) for people typing it; anything else is a 400."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    crs = _BY_NAME.get(text) or _BY_NAME.get(text.lower())
    if crs is None:
        raise DomainError(
            "invalid_" + parameter.replace("-", "_"),
            _("%(parameter)s is not a CRS this API offers; use one of: %(crss)s.")
            % {"parameter": parameter, "crss": ", ".join(URIS)},
        )
    return crs


def requested(request, parameter="crs"):
    """The Crs a request's `crs` (or `bbox-crs`) asks for; CRS84 when absent."""
    if parameter not in request.GET:
        return DEFAULT
    return lookup(request.GET[parameter], parameter=parameter)


def content_crs(crs):
    """The Content-Crs header Part 2 asks every feature response to carry."""
    return {"Content-Crs": f"<{crs.uri}>"}


def geometry_sql(crs, column):
    """SQL writing a stored geometry column as GeoJSON (json) in `crs`: transformed by
    PostGIS, axes in the CRS's order, rounded to its digits, with no `crs` member (SRID 0:
    the response's Content-Crs says it once)."""
    if crs.srid == STORAGE_SRID and not crs.north_first:
        return geojson_sql(column, crs.digits)
    expression = column if crs.srid == STORAGE_SRID else f"ST_Transform({column}, {crs.srid})"
    if crs.north_first:
        expression = f"ST_FlipCoordinates({expression})"
    return geojson_sql(f"ST_SetSRID({expression}, 0)", crs.digits)


@dataclass(frozen=True)
class Box:
    """A bbox as the client drew it: its corners in easting, northing order, and its CRS."""

    crs: Crs
    corners: tuple[float, float, float, float]

    @property
    def lonlat(self):
        """The box as CRS84 corners, when it is drawn in degrees; None otherwise."""
        return self.corners if self.crs.srid == STORAGE_SRID else None


def box(value, crs):
    """A Box from a `bbox` value (4 or 6 numbers in `crs`'s axis order), checked against the
    CRS's bounds; a wrong one is a 400."""
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 6:  # 3D boxes: minx, miny, minz, maxx, maxy, maxz
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) == 4 and crs.north_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    west, south, east, north = crs.bounds
    if len(numbers) != 4 or not (
        all(math.isfinite(n) for n in numbers)
        and west <= numbers[0] <= numbers[2] <= east
        and south <= numbers[1] <= numbers[3] <= north
    ):
        if crs is DEFAULT:
            message = _("bbox is minlon,minlat,maxlon,maxlat in WGS84 (CRS84), min before max.")
        else:
            message = _(
                "bbox is four numbers in %(crs)s's axis order (%(axes)s), min before max,"
                " within %(bounds)s."
            ) % {
                "crs": crs.label,
                "axes": _("north, east") if crs.north_first else _("east, north"),
                "bounds": ", ".join(f"{b:g}" for b in crs.bounds),
            }
        raise DomainError("invalid_bbox", message)
    return Box(crs, tuple(numbers))


# A projected box's edges are curves in degrees: the index pre-filter draws the box widened
# by this share of its size, through this many points an edge, so it holds the whole curve.
_MARGIN = 0.01
_EDGE_POINTS = 32


def _outline(corners, srid):
    x0, y0, x1, y1 = corners
    dx, dy = max((x1 - x0) * _MARGIN, 1.0), max((y1 - y0) * _MARGIN, 1.0)
    x0, y0, x1, y1 = x0 - dx, y0 - dy, x1 + dx, y1 + dy
    steps = [i / _EDGE_POINTS for i in range(_EDGE_POINTS)]
    ring = (
        [(x0 + (x1 - x0) * s, y0) for s in steps]
        + [(x1, y0 + (y1 - y0) * s) for s in steps]
        + [(x1 - (x1 - x0) * s, y1) for s in steps]
        + [(x0, y1 - (y1 - y0) * s) for s in steps]
    )
    return Polygon([*ring, ring[0]], srid=srid)


def touching(queryset, column, drawn):
    """The rows whose `column` (stored in EPSG:4326) touches a box drawn in a projected CRS:
    an index pre-filter on the box's outline brought to storage by PostGIS, then the exact
    test in the box's own CRS, where its edges are straight."""
    polygon = Polygon.from_bbox(drawn.corners)
    polygon.srid = drawn.crs.srid
    return (
        queryset.filter(**{f"{column}__bboverlaps": _outline(drawn.corners, drawn.crs.srid)})
        .alias(ogc_projected=Transform(column, drawn.crs.srid))
        .filter(ogc_projected__intersects=polygon)
    )
