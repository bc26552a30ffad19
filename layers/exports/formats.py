"""The formats an export writes, the files each leaves on disk, the coordinate reference
systems it may be written in, and what makes an export impossible (ExportError)."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.postgis import METRIC_SRID, STORAGE_SRID, WEB_MERCATOR_SRID


@dataclass(frozen=True)
class Format:
    driver: str
    suffix: str
    creation_options: tuple[str, ...] = ()
    # Sidecar files the format writes beside the main one (removed with it on --overwrite).
    sidecars: tuple[str, ...] = ()
    label: str = ""


FORMATS = {
    "geojson": Format("GeoJSON", ".geojson", ("RFC7946=YES",), label="GeoJSON"),
    "gpkg": Format("GPKG", ".gpkg", label="GeoPackage"),
    # The geometry as WKT in a column named `geometry`, the same name everywhere a CSV is
    # written (command line and workspace), typed by the .csvt and located by the .prj.
    "csv": Format(
        "CSV",
        ".csv",
        ("GEOMETRY=AS_WKT", "GEOMETRY_NAME=geometry", "CREATE_CSVT=YES"),
        sidecars=(".csvt", ".prj"),
        label="CSV",
    ),
    "fgb": Format("FlatGeobuf", ".fgb", ("SPATIAL_INDEX=YES",), label="FlatGeobuf"),
    "shp": Format(
        "ESRI Shapefile",
        ".shp",
        ("ENCODING=UTF-8",),
        sidecars=(".shx", ".dbf", ".prj", ".cpg", ".qix"),
        label="Shapefile",
    ),
    # A QGIS project (.qgz) beside the GeoPackage it styles: the GeoPackage's layers, the
    # perimeter, the communes and the live OGC API - Features collection.
    "qgis": Format("GPKG", ".qgz", label="QGIS"),
}

# The CRSs of the territory, offered first: WGS 84, Lambert-93 (France), UTM 32N (Imperia,
# Cuneo), the European LAEA grid and Web Mercator. Any other EPSG code GDAL knows is accepted.
TERRITORY_CRS = {
    STORAGE_SRID: gettext_lazy("WGS 84 (longitude, latitude)"),
    2154: gettext_lazy("Lambert-93 (France)"),
    32632: gettext_lazy("UTM zone 32N (Imperia, Cuneo)"),
    METRIC_SRID: gettext_lazy("ETRS89 LAEA Europe"),
    WEB_MERCATOR_SRID: gettext_lazy("Web Mercator"),
}
# "2154", "EPSG:2154" or "epsg:2154": digits only, at most six of them.
CRS_PATTERN = re.compile(r"(?:EPSG:)?([0-9]{1,6})", re.IGNORECASE)
CRS_INPUT_MAX = 20


class ExportError(Exception):
    """An export that cannot be made; the message is a sentence for the person running it,
    the code a machine-readable reason the workspace answers with."""

    def __init__(self, message: str, code: str = "export_failed"):
        super().__init__(message)
        self.code = code


def parse_srid(value) -> int:
    """The EPSG code of `value` (2154, "2154", "EPSG:2154"), checked against the PROJ
    database GDAL uses: a 2D geographic or projected CRS, or ExportError (invalid_srid)."""
    text = str(value).strip() if value is not None else ""
    match = CRS_PATTERN.fullmatch(text) if len(text) <= CRS_INPUT_MAX else None
    if match is None:
        raise ExportError(
            _("The coordinate reference system is an EPSG code, like 2154 or EPSG:2154."),
            code="invalid_srid",
        )
    srid = int(match.group(1))
    import pyproj

    try:
        crs = pyproj.CRS.from_epsg(srid)
    except pyproj.exceptions.CRSError:
        raise ExportError(
            _("EPSG:%(srid)s is not a coordinate reference system GDAL knows.") % {"srid": srid},
            code="invalid_srid",
        ) from None
    if not (crs.is_geographic or crs.is_projected) or crs.is_vertical or len(crs.axis_info) != 2:
        raise ExportError(
            _(
                "EPSG:%(srid)s (%(name)s) is not a two-dimensional map coordinate reference "
                "system; choose a geographic or projected one, like 2154."
            )
            % {"srid": srid, "name": crs.name},
            code="invalid_srid",
        )
    return srid


def crs_name(srid: int) -> str:
    import pyproj

    return pyproj.CRS.from_epsg(int(srid)).name


def export_filename(slug: str, srid: int, fmt: str, *, public: bool = False) -> str:
    """The file name an export is offered under: the project, what it holds, the CRS
    (`piter-alpimed_contributions_EPSG2154.gpkg`)."""
    what = "opendata" if public else "contributions"
    return f"{slug}_{what}_EPSG{int(srid)}{FORMATS[fmt].suffix}"


def output_files(output: Path, fmt: str, *, public: bool) -> list[Path]:
    """Every file an export writes, the main one first."""
    output = Path(output)
    files = [output, *(output.with_suffix(s) for s in FORMATS[fmt].sidecars)]
    if fmt == "qgis":
        files.append(output.with_suffix(".gpkg"))
    if public:
        files += [
            output.parent / "README.txt",
            output.parent / "LICENSE.txt",
            output.with_suffix(".xml"),
        ]
    return files
