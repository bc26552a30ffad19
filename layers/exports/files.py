"""An export written to files: `export_layer` checks the request, builds the SELECT, runs
ogr2ogr and, for open data, writes the notes and the ISO 19115 record beside the file."""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

from contributions.models import Project
from contributions.selectors import ContributionFilters, filtered_contributions
from core.postgis import STORAGE_SRID
from layers.exports.formats import (
    FORMATS,
    ExportError,
    crs_name,
    export_filename,
    output_files,
    parse_srid,
)
from layers.exports.geopackage import write_geopackage
from layers.exports.metadata import describe, gdal_metadata, write_iso19115
from layers.exports.notes import describe_filters, write_public_notes
from layers.exports.ogr2ogr import ogr2ogr
from layers.exports.qgis_project import write_qgis_project
from layers.exports.sql import DEFAULT_BASE_URL, check_single_geometry_type, contributions_sql


@dataclass
class ExportResult:
    output: Path
    count: int
    srid: int
    files: list[Path] = field(default_factory=list)


def export_layer(
    *,
    project: Project,
    fmt: str,
    srid,
    output,
    public: bool,
    filters: ContributionFilters,
    progress=None,
    base_url: str = DEFAULT_BASE_URL,
    language: str | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write the project's contributions matching the filters to `output` in EPSG:`srid`.

    `output` is a file, or a folder (an existing one, or a path ending in a slash) in which
    the file is named after the project and the CRS (formats.export_filename).
    `public` keeps only what the public may see and leaves out emails and authors; otherwise
    (staff) every status is included, hidden and submitted too, with email and author_id.
    `progress`, a text stream, receives ogr2ogr's progress bar.
    """
    if fmt not in FORMATS:
        raise ExportError(
            f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.", code="invalid_format"
        )
    srid = parse_srid(srid)
    if fmt == "geojson" and srid != STORAGE_SRID:
        raise ExportError(
            f"GeoJSON is written as RFC 7946, which is always WGS 84 (EPSG:4326), not "
            f"EPSG:{srid}; use --srid 4326, or GeoPackage, FlatGeobuf, CSV or Shapefile "
            f"for other coordinate reference systems.",
            code="invalid_srid",
        )
    output = _output_path(output, project.slug, srid, fmt, public=public)
    if output.suffix.lower() != FORMATS[fmt].suffix and fmt == "qgis":
        # Its GeoPackage goes beside it under the same name, .gpkg: a project named .gpkg
        # would be written over it.
        raise ExportError(
            f"A QGIS project is a .qgz file, not {output.name}; name it "
            f"{output.with_suffix('.qgz').name} or give a folder.",
            code="invalid_format",
        )
    files = output_files(output, fmt, public=public)
    existing = [path for path in files if path.exists()]
    if existing and not overwrite:
        raise ExportError(f"{existing[0]} already exists; choose another path or pass --overwrite.")
    language = (language or translation.get_language() or "fr").split("-")[0]
    queryset = _contributions(project, filters, public=public)
    if fmt == "shp":
        check_single_geometry_type(queryset)
    for path in existing:
        path.unlink()
    output.parent.mkdir(parents=True, exist_ok=True)

    sql = contributions_sql(
        queryset,
        public=public,
        language=language,
        base_url=base_url,
        xy_srid=srid if fmt == "csv" else None,
    )
    count = queryset.count()
    description = describe(
        project,
        public=public,
        srid=srid,
        crs_name=crs_name(srid),
        count=count,
        language=language,
        fmt_label=FORMATS[fmt].label,
        filters_text=describe_filters(filters, empty=""),
    )
    if fmt in ("gpkg", "qgis"):
        geopackage = output if fmt == "gpkg" else output.with_suffix(".gpkg")
        write_geopackage(
            geopackage,
            project=project,
            contributions_sql=sql,
            srid=srid,
            language=language,
            metadata=gdal_metadata(description),
            public=public,
            progress=progress,
            base_url=base_url,
        )
        if fmt == "qgis":
            write_qgis_project(
                output,
                geopackage=geopackage,
                project=project,
                srid=srid,
                language=language,
                base_url=base_url,
                description=description,
            )
    else:
        layer = ["-nln", "contributions"] if fmt in ("geojson", "fgb") else []
        ogr2ogr(fmt, output, sql, srid, [*layer], progress=progress)
    if public:
        write_public_notes(
            project,
            output,
            fmt=fmt,
            srs_name=crs_name(srid),
            srid=srid,
            filters=filters,
            count=count,
        )
        write_iso19115(output.with_suffix(".xml"), description, output.name)
    return ExportResult(
        output=output, count=count, srid=srid, files=[path for path in files if path.exists()]
    )


def _output_path(output, slug: str, srid: int, fmt: str, *, public: bool) -> Path:
    """The file to write: `output` itself, or a file named after the project and the CRS
    inside `output` when it is a folder."""
    text = str(output)
    path = Path(output)
    if path.is_dir() or text.endswith(("/", "\\")):
        return path / export_filename(slug, srid, fmt, public=public)
    return path


def _contributions(project, filters, *, public):
    """The contributions to export: the list's own filters; every status for staff."""
    return filtered_contributions(project, filters, public=public)
