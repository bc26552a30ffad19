"""The diagnostic bundle: map.html, density.tif, areas.geojson/csv, hotspots.geojson,
summary.json, report.html and report.pdf for a project's public contributions, and a QGIS
project beside its styled GeoPackage (folder qgis/) to rework any figure (docs/diagnostic.md).

Every file is read from one snapshot of the database (a repeatable-read, read-only
transaction when the caller is not already in one), so their counts agree with each other.
Files are written into a hidden folder inside the output and moved into place only once all
of them are complete: a failure leaves no partial bundle.
"""

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from contributions.models import Project
from contributions.selectors import ContributionFilters
from core.i18n import localized
from core.postgis import METRIC_SRID
from layers.diagnostic import (
    areas,
    density,
    folium_map,
    getis_ord,
    hotspots,
    pdf,
    queries,
    questionnaires,
    rates,
    report,
    report_data,
    report_partner,
    report_stats,
    summary,
    themes,
)
from layers.exports.files import export_layer
from layers.exports.formats import ExportError

QGIS_FOLDER = "qgis"
FILES = (
    "map.html",
    "density.tif",
    "areas.geojson",
    "areas.csv",
    "hotspots.geojson",
    "summary.json",
    "report.html",
    "report.pdf",
    QGIS_FOLDER,
)
DEFAULT_CELL_M = 250.0
DEFAULT_BANDWIDTH_M = 500.0


class DiagnosticError(Exception):
    """A diagnostic that cannot be made; the message is a sentence for the person running it."""


@dataclass
class Parameters:
    cell_m: float = DEFAULT_CELL_M
    bandwidth_m: float = DEFAULT_BANDWIDTH_M
    eps_m: float = hotspots.DEFAULT_EPS_M
    minpoints: int | None = None  # None: hotspots.default_minpoints for the data


@dataclass
class DiagnosticResult:
    output: Path
    count: int
    hotspots: int
    files: list[Path] = field(default_factory=list)


def check_parameters(parameters: Parameters) -> None:
    if not (10 <= parameters.cell_m <= 10_000):
        raise DiagnosticError("The density cell size must be between 10 and 10,000 metres.")
    if not (parameters.cell_m / 2 <= parameters.bandwidth_m <= 50_000):
        raise DiagnosticError(
            "The density bandwidth must be at least half a cell and at most 50,000 metres."
        )
    if not (10 <= parameters.eps_m <= 10_000):
        raise DiagnosticError("The hotspot distance (eps) must be between 10 and 10,000 metres.")
    if parameters.minpoints is not None and parameters.minpoints < 2:
        raise DiagnosticError("A hotspot needs at least 2 contributions (minpoints).")


def prepare_output(output: Path, *, overwrite: bool) -> None:
    if output.exists() and not output.is_dir():
        raise DiagnosticError(f"{output} exists and is not a folder; choose a folder path.")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise DiagnosticError(
            f"{output} is not empty; choose an empty or new folder, or pass --overwrite."
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=output):
            pass
    except OSError as error:
        raise DiagnosticError(
            f"Cannot write into {output} ({error.strerror or error}); choose a writable folder."
        ) from error


def run(
    *,
    project: Project,
    filters: ContributionFilters,
    output,
    language: str | None = None,
    parameters: Parameters | None = None,
    overwrite: bool = False,
    progress: bool = False,
    qgis: bool = True,
) -> DiagnosticResult:
    """Writes the bundle into `output`. `qgis=False` leaves out the QGIS project and its
    GeoPackage, a file of every contributions' points (about 90 MB at 100,000): the staff
    workspace offers it as an export of its own."""
    parameters = parameters or Parameters()
    language = (language or settings.LANGUAGE_CODE).split("-")[0]
    if language not in dict(settings.LANGUAGES):
        raise DiagnosticError(
            f"Unknown language {language!r}; choose one of {', '.join(dict(settings.LANGUAGES))}."
        )
    check_parameters(parameters)
    names = FILES if qgis else tuple(name for name in FILES if name != QGIS_FOLDER)
    output = Path(output)
    prepare_output(output, overwrite=overwrite)

    scratch = Path(tempfile.mkdtemp(prefix=".diagnostic-", dir=output))
    try:
        nested = connection.in_atomic_block
        with translation.override(language), transaction.atomic():
            _snapshot(nested=nested)
            result = _write(project, filters, scratch, language, parameters, progress, names)
        # The questionnaires' folder, when the project has responses to one.
        names = (*names, *[n for n in (questionnaires.FOLDER,) if (scratch / n).is_dir()])
        for name in names:
            if (output / name).is_dir():  # a former bundle's folder, with --overwrite
                shutil.rmtree(output / name)
            (scratch / name).replace(output / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.output = output
    result.files = [output / name for name in names]
    return result


def _snapshot(*, nested: bool):
    with connection.cursor() as cursor:
        if not nested:  # a caller's transaction (tests, scripts) keeps its own isolation
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # A batch job over up to a million rows: the exports' timeout, longer than a
        # request's and still bounded.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)",
            [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)],
        )


def _write_qgis(project, filters, folder: Path, language):
    """The public contributions as a QGIS project beside its styled GeoPackage (the exports'
    own, layers.exports), in the diagnostic's metric CRS, the CRS of density.tif, so the GIS
    service can add the raster and rework any figure. Written by ogr2ogr on a connection of
    its own, so it is read a moment after the bundle's snapshot."""
    folder.mkdir()
    try:
        export_layer(
            project=project,
            fmt="qgis",
            srid=METRIC_SRID,
            output=f"{folder}/",
            public=True,
            filters=filters,
            language=language,
        )
    except ExportError as error:
        raise DiagnosticError(str(error)) from error


def _write(project, filters, folder: Path, language, parameters: Parameters, progress, names):
    scope = queries.Scope(project, filters)
    steps = tqdm(total=10, file=sys.stderr, disable=not progress, unit="step", leave=True)
    title = localized(project.title, language) or project.slug
    theme_list = queries.themes(project)
    theme_slugs = {t["id"]: t["slug"] for t in theme_list}

    steps.set_description(_("density"))
    try:
        raster, base_counts = density.compute(
            scope, cell=parameters.cell_m, bandwidth=parameters.bandwidth_m
        )
    except density.GridTooLarge as error:
        raise DiagnosticError(str(error)) from error
    density.write_geotiff(
        raster, folder / "density.tif", description=_("Contributions per km² (kernel density)")
    )
    steps.update()

    # Every contribution in scope; the raster holds only those placed more precisely than by
    # their commune.
    total = base_counts.total + raster.left_out

    steps.set_description(_("hotspots"))
    if parameters.minpoints is None:
        minpoints = hotspots.default_minpoints(
            base_counts.total, project.perimeter.area_m2, parameters.eps_m
        )
        parameters = replace(parameters, minpoints=minpoints)
    found = hotspots.find(
        scope, eps=parameters.eps_m, minpoints=parameters.minpoints, theme_slugs=theme_slugs
    )
    hotspots.write_geojson(found, theme_list, folder / "hotspots.geojson")
    steps.update()

    steps.set_description(_("communes"))
    table = areas.build(scope, theme_list)
    areas.write_csv(table, folder / "areas.csv")
    areas.write_geojson(table, folder / "areas.geojson", name="areas")
    steps.update()

    steps.set_description(_("statistics"))
    communes = queries.communes(project, simplify_m=30)
    # The per-commune table's counts: no second pass over the contributions.
    commune_rates = rates.rates_from_counts(
        communes, {row["code"]: row["contributions"] for row in table.rows}
    )
    gi = getis_ord.gi_star(scope)
    weekly_themes = themes.weekly(scope)
    steps.update()

    steps.set_description(_("summary"))
    statuses = queries.by_status(scope)
    first, last, weeks = queries.period(scope)
    figures = summary.build(
        project=project,
        filters=filters,
        language=language,
        parameters=parameters,
        table=table,
        themes=theme_list,
        statuses=statuses,
        period=(first, last),
        raster=raster,
        found=found,
        total=total,
        files=names,
        commune_rates=commune_rates,
        gi=gi,
    )
    partner_vote = report_partner.partner_data(project, language)
    if partner_vote is not None:
        figures["partner_vote"] = report_partner.summary_of(partner_vote)
    (folder / "summary.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    steps.update()

    steps.set_description(_("map"))
    fmap = folium_map.build_map(
        title=title,
        perimeter=queries.perimeter(project, simplify_m=30),
        communes=communes,
        area_rows=table.rows,
        clusters=folium_map.map_clusters(base_counts),
        hotspots=found,
        themes=theme_list,
    )
    folium_map.save(fmap, folder / "map.html")
    steps.update()

    steps.set_description(_("report"))
    data = report_data.ReportData(
        summary=figures,
        title=title,
        themes=theme_list,
        weeks=weeks,
        raster=raster,
        found=found,
        communes=communes,
        area_rows=table.rows,
        generated=timezone.now(),
        rates=commune_rates,
        gi=gi,
        weekly_themes=weekly_themes,
        participation_level=str(project.get_participation_level_display()),
        partners=report_data.partners_of(project),
        files=list(names),
        results=report_stats.results_of(project, language),
        partner_projects=partner_vote,
        questionnaires=questionnaires.questionnaire_data(
            project,
            language,
            folder / questionnaires.FOLDER,
            cell_m=parameters.cell_m,
            bandwidth_m=parameters.bandwidth_m,
        ),
    )
    html = report.render(data)
    (folder / "report.html").write_text(html, encoding="utf-8")
    steps.update()

    steps.set_description(_("PDF"))
    pdf.write_pdf(html, folder / "report.pdf")
    steps.update()

    if QGIS_FOLDER in names:
        steps.set_description(_("QGIS project"))
        _write_qgis(project, filters, folder / QGIS_FOLDER, language)
    steps.update()
    steps.set_description(_("done"))
    steps.update()
    steps.close()
    return DiagnosticResult(output=folder, count=total, hotspots=len(found.hotspots))
