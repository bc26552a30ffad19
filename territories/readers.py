"""Reading boundary files with GDAL: any format it reads, any CRS, into WGS84 multipolygons."""

import math
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    SpatialReference,
)
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon, Polygon
from django.contrib.gis.geos.error import GEOSException

from core.postgis import STORAGE_SRID


class BoundaryFileError(Exception):
    """A file that cannot be imported at all; `code` is machine-readable."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SourceFeature:
    number: int
    attrs: dict
    geom: MultiPolygon | None  # WGS84, or None when unusable (see `problem`)
    repaired: bool = False
    problem: str = ""


def open_layer(path, layer_name=None):
    if not Path(path).is_file():
        raise BoundaryFileError("file_not_found", f"There is no file at {path}.")
    try:
        source = DataSource(str(path))
    except GDALException:
        raise BoundaryFileError(
            "not_a_gis_file", f"{path} is not a file GDAL can read (GeoJSON, GeoPackage, ...)."
        ) from None
    names = [layer.name for layer in source]
    if layer_name:
        if layer_name not in names:
            raise BoundaryFileError(
                "unknown_layer", f"No layer {layer_name!r} in {path}; layers: {', '.join(names)}."
            )
        return source, source[layer_name]
    if len(names) != 1:
        raise BoundaryFileError(
            "several_layers",
            f"{path} has several layers; choose one with --layer: {', '.join(names)}.",
        )
    return source, source[0]


def check_fields(layer, fields):
    """Raises for a field the file does not have, naming those it has."""
    available = list(layer.fields)
    for option, field in fields.items():
        if field and field not in available:
            raise BoundaryFileError(
                "unknown_field",
                f"The file has no field {field!r} (given as {option}); "
                f"its fields are: {', '.join(available)}.",
            )


def guess_field(layer, candidates):
    lowered = {name.lower(): name for name in layer.fields}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


def transform_to_storage(layer, srid):
    if srid:
        source_srs = SpatialReference(srid)
    else:
        source_srs = layer.srs
        if source_srs is None:
            raise BoundaryFileError(
                "no_crs",
                "The file does not say which coordinate system it uses; give it with --srid "
                "(for example --srid 2154 for Lambert-93).",
            )
    return CoordTransform(source_srs, SpatialReference(STORAGE_SRID))


def as_multipolygon(geom):
    """The polygons of a geometry as one valid MultiPolygon (None when it has no area)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    if isinstance(geom, GeometryCollection):
        polygons = [p for part in geom if (found := as_multipolygon(part)) for p in found]
        if not polygons:
            return None
        merged = MultiPolygon(polygons, srid=geom.srid)
        # Parts of a repaired collection may touch along an edge: dissolve them.
        return merged if merged.valid else as_multipolygon(merged.unary_union)
    return None


def read_features(layer, transform):
    """Every feature as attributes and a valid WGS84 MultiPolygon, or a reason it has none."""
    fields = list(layer.fields)
    for number, feature in enumerate(layer, start=1):
        attrs = {name: feature.get(name) for name in fields}
        try:
            ogr = feature.geom
        except GDALException:
            yield SourceFeature(number, attrs, None, problem="no geometry")
            continue
        ogr.set_3d(False)
        ogr.set_measured(False)
        try:
            ogr.transform(transform)
        except GDALException as exc:
            yield SourceFeature(number, attrs, None, problem=f"cannot reproject ({exc})")
            continue
        try:
            geom = GEOSGeometry(ogr.wkb, srid=STORAGE_SRID)
            yield _usable(number, attrs, geom)
        except (GEOSException, ValueError) as exc:
            # Rings of fewer than four points and the like: GEOS refuses to build them.
            yield SourceFeature(number, attrs, None, problem=f"unreadable geometry ({exc})")


def _usable(number, attrs, geom):
    if geom.empty:
        return SourceFeature(number, attrs, None, problem="empty geometry")
    xmin, ymin, xmax, ymax = geom.extent
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        return SourceFeature(number, attrs, None, problem="coordinates that are not numbers")
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        return SourceFeature(
            number,
            attrs,
            None,
            problem="coordinates outside longitude/latitude range (wrong --srid?)",
        )
    repaired = False
    if not geom.valid:
        geom = geom.make_valid()
        repaired = True
    multipolygon = as_multipolygon(geom)
    if multipolygon is None:
        kind = "not a polygon" if not repaired else "no area left after repair"
        return SourceFeature(number, attrs, None, problem=f"{kind} ({geom.geom_type})")
    return SourceFeature(number, attrs, multipolygon, repaired=repaired)
