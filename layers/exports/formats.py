"""The formats an export writes, the files each leaves on disk, and what makes an export
impossible (ExportError)."""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import SpatialReference


@dataclass(frozen=True)
class Format:
    driver: str
    suffix: str
    creation_options: tuple[str, ...] = ()
    # Sidecar files the format writes beside the main one (removed with it on --overwrite).
    sidecars: tuple[str, ...] = ()


FORMATS = {
    "geojson": Format("GeoJSON", ".geojson", ("RFC7946=YES",)),
    "gpkg": Format("GPKG", ".gpkg"),
    "csv": Format(
        "CSV", ".csv", ("GEOMETRY=AS_WKT", "CREATE_CSVT=YES"), sidecars=(".csvt", ".prj")
    ),
    "fgb": Format("FlatGeobuf", ".fgb", ("SPATIAL_INDEX=YES",)),
    "shp": Format(
        "ESRI Shapefile",
        ".shp",
        ("ENCODING=UTF-8",),
        sidecars=(".shx", ".dbf", ".prj", ".cpg", ".qix"),
    ),
}


class ExportError(Exception):
    """An export that cannot be made; the message is a sentence for the person running it."""


def check_srid(srid: int) -> SpatialReference:
    """The spatial reference of an EPSG code, or ExportError when GDAL does not know it."""
    try:
        return SpatialReference(int(srid))
    except Exception as error:
        raise ExportError(
            f"EPSG:{srid} is not a coordinate reference system GDAL knows."
        ) from error


def output_files(output: Path, fmt: str, *, public: bool) -> list[Path]:
    """Every file an export writes, the main one first."""
    output = Path(output)
    files = [output, *(output.with_suffix(s) for s in FORMATS[fmt].sidecars)]
    if public:
        files += [output.parent / "README.txt", output.parent / "LICENSE.txt"]
    return files
