"""An export written to files: `export_layer` checks the request, builds the SELECT, runs
ogr2ogr and, for open data, writes the notes beside the file."""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

from contributions.models import Project
from contributions.selectors import ContributionFilters, filtered_contributions
from core.postgis import STORAGE_SRID
from layers.exports.formats import FORMATS, ExportError, check_srid, output_files
from layers.exports.notes import write_public_notes
from layers.exports.ogr2ogr import ogr2ogr, ogr2ogr_layers
from layers.exports.sql import (
    DEFAULT_BASE_URL,
    check_single_geometry_type,
    contributions_sql,
    territory_layers_sql,
)


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
    srid: int,
    output,
    public: bool,
    filters: ContributionFilters,
    progress=None,
    base_url: str = DEFAULT_BASE_URL,
    language: str | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write the project's contributions matching the filters to `output` in EPSG:`srid`.

    `public` keeps only what the public may see and leaves out emails and authors; otherwise
    (staff) every status is included, hidden and submitted too, with email and author_id.
    `progress`, a text stream, receives ogr2ogr's progress bar.
    """
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    srs = check_srid(srid)
    if fmt == "geojson" and int(srid) != STORAGE_SRID:
        raise ExportError(
            f"GeoJSON is written as RFC 7946, which is always WGS 84 (EPSG:4326), not "
            f"EPSG:{srid}; use --srid 4326, or GeoPackage, FlatGeobuf, CSV or Shapefile "
            f"for other coordinate reference systems."
        )
    output = Path(output)
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
    if fmt == "gpkg":
        # Three layers, one ogr2ogr run: one start-up and one connection instead of three.
        layers = {"contributions": (sql, None)}
        for name, layer_sql in territory_layers_sql(project).items():
            layers[name] = (layer_sql, "wkbMultiPolygon")
        ogr2ogr_layers(fmt, output, layers, srid, progress=progress)
    else:
        layer = ["-nln", "contributions"] if fmt in ("geojson", "fgb") else []
        ogr2ogr(fmt, output, sql, srid, [*layer], progress=progress)
    count = queryset.count()
    if public:
        write_public_notes(
            project, output, fmt=fmt, srs=srs, srid=srid, filters=filters, count=count
        )
    return ExportResult(
        output=output, count=count, srid=int(srid), files=[path for path in files if path.exists()]
    )


def _contributions(project, filters, *, public):
    """The contributions to export: the list's own filters; every status for staff."""
    return filtered_contributions(project, filters, public=public)
