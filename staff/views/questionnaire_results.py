"""A questionnaire's results in the workspace: responses by channel, per-question summaries,
response rates per commune and the cross-tabulation of a map question by a choice question,
every figure read from questionnaires.results (small groups suppressed there); and the
questionnaire's staff export (layers.exports.questionnaire_files) in a chosen CRS. No
individual response is ever listed."""

import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.vocabulary import Channel
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from layers.exports.formats import ExportError, parse_srid
from layers.exports.questionnaire_files import base_name, export_questionnaire
from questionnaires import results
from questionnaires.models import CHOICE_KINDS, MAP_KINDS, Questionnaire
from staff.access import page_context, workspace

# The form's format -> (the export's format, zipped, content type).
DOWNLOADS = {
    "gpkg": ("gpkg", False, "application/geopackage+sqlite3"),
    "geojson.zip": ("geojson", True, "application/zip"),
    "csv.zip": ("csv", True, "application/zip"),
}
CLIENT_ERRORS = {"invalid_srid", "invalid_format", "mixed_geometries"}


def _language():
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _questionnaire(project, questionnaire_id):
    return get_object_or_404(
        Questionnaire.objects.select_related("project"), project=project, pk=questionnaire_id
    )


def _percent(share):
    return None if share is None else round(share * 100, 1)


def _cross_tab(request, questionnaire, summaries, language):
    """The pair asked for in the GET form (the first map and choice questions by default);
    an unknown code is told, not guessed."""
    maps = [s for s in summaries if s.kind in MAP_KINDS]
    choices = [s for s in summaries if s.kind in CHOICE_KINDS]
    if not maps or not choices:
        return maps, choices, None, None
    map_code = request.GET.get("map", maps[0].code)
    choice_code = request.GET.get("by", choices[0].code)
    if map_code not in {s.code for s in maps} or choice_code not in {s.code for s in choices}:
        error = DomainError("invalid_question", _("Choose a map question and a choice question."))
        return maps, choices, None, error
    table = results.cross_tab(questionnaire, map_code, choice_code, language)
    for group in table["groups"]:
        group["commune_rows"] = sorted(
            group["communes"].items(), key=lambda item: (-item[1], item[0] or "")
        )
    return maps, choices, table, None


def _page(request, project, questionnaire, *, error=None, status=200):
    language = _language()
    summaries = results.question_summaries(questionnaire, language)
    for summary in summaries:
        summary.percent = _percent(summary.share)
        for choice in summary.choices:
            choice["percent"] = _percent(choice["share"])
    labels = dict(Channel.choices)
    channels = [
        (labels.get(channel, channel), n)
        for channel, n in results.responses_by_channel(questionnaire).items()
    ]
    communes = results.commune_rates(questionnaire)
    maps, choices, table, tab_error = _cross_tab(request, questionnaire, summaries, language)
    names = {row["code"]: row["name"] for row in communes if row["code"]}
    for group in table["groups"] if table else []:
        group["commune_rows"] = [(names.get(code, code), n) for code, n in group["commune_rows"]]
    if tab_error and status == 200:
        error, status = tab_error, tab_error.status
    return render(
        request,
        "staff/questionnaire_results.html",
        page_context(
            request,
            questionnaire=questionnaire,
            total=results.response_count(questionnaire),
            channels=channels,
            summaries=summaries,
            # Communes with responses (and responses of no known commune), then the others.
            commune_tables=[
                [row for row in communes if row["responses"] or row["code"] is None],
                [row for row in communes if not row["responses"] and row["code"]],
            ],
            map_questions=maps,
            choice_questions=choices,
            cross_tab=table,
            min_group=results.MIN_GROUP,
            formats=DOWNLOADS,
            error=error,
        ),
        status=status,
    )


@require_GET
@workspace("dashboard")
def questionnaire_results(request, project, questionnaire_id):
    return _page(request, project, _questionnaire(project, questionnaire_id))


def _choice(request) -> tuple[str, int]:
    suffix = request.GET.get("format", "")
    if suffix not in DOWNLOADS:
        raise DomainError(
            "invalid_format",
            _("Choose one of the formats offered: %(formats)s.")
            % {"formats": ", ".join(DOWNLOADS)},
        )
    value = request.GET.get("crs", "").strip() or request.GET.get("srid", "") or STORAGE_SRID
    try:
        srid = parse_srid(value)
    except ExportError as error:
        raise DomainError(error.code, str(error)) from None
    if suffix == "geojson.zip" and srid != STORAGE_SRID:
        raise DomainError(
            "invalid_srid",
            _(
                "GeoJSON is always WGS 84 (RFC 7946): choose GeoPackage, CSV or another "
                "format for EPSG:%(srid)s."
            )
            % {"srid": srid},
        )
    return suffix, srid


@require_GET
@workspace("export")
def questionnaire_download(request, project, questionnaire_id):
    """The staff export: GeoPackage (one styled layer per map question, the answers table),
    or a zip of GeoJSON or CSV files (one per map question, the answers as CSV)."""
    questionnaire = _questionnaire(project, questionnaire_id)
    try:
        suffix, srid = _choice(request)
    except DomainError as error:
        return _page(request, project, questionnaire, error=error, status=error.status)
    if shutil.which("ogr2ogr") is None:
        error = DomainError("unavailable", _("ogr2ogr is not installed."), status=503)
        return _page(request, project, questionnaire, error=error, status=503)
    fmt, zipped, content_type = DOWNLOADS[suffix]
    folder = Path(tempfile.mkdtemp(prefix="staff-questionnaire-"))
    try:
        export = export_questionnaire(
            questionnaire=questionnaire,
            fmt=fmt,
            srid=srid,
            output=folder,
            public=False,
            language=_language(),
        )
        download = export.files[0]
        if zipped:
            download = folder / f"{base_name(questionnaire, public=False)}_EPSG{srid}_{fmt}.zip"
            with zipfile.ZipFile(download, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in export.files:
                    archive.write(path, arcname=path.name)
        handle = open(download, "rb")  # noqa: SIM115 - FileResponse closes it
    except ExportError as error:
        status = 400 if error.code in CLIENT_ERRORS else 500
        error = DomainError(error.code, str(error), status=status)
        return _page(request, project, questionnaire, error=error, status=status)
    finally:
        # The open handle keeps the data readable; the names are gone at once.
        shutil.rmtree(folder, ignore_errors=True)
    response = FileResponse(
        handle, as_attachment=True, filename=download.name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
