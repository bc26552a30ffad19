"""The staff export over HTTP: every status, with the private fields (email, author), for
people with a role in the project; 404 for anyone else.

ogr2ogr (layers/exports/sql.py builds its SELECT) writes GeoJSON and CSV to its standard
output, streamed to the client as it comes, so memory stays constant however many rows. A
GeoPackage is a database file that cannot be written to a pipe: it goes to a temporary file,
handed to the response already unlinked, so it disappears when the download ends (or fails).
"""

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.filters import ContributionFilters, parse_filters
from contributions.selectors import filtered_contributions
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from layers.exports.files import export_layer
from layers.exports.formats import FORMATS, ExportError, check_srid
from layers.exports.ogr2ogr import pg_source
from layers.exports.sql import contributions_sql
from staff import permissions

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024
CONTENT_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}


def _filters(request) -> tuple[ContributionFilters, int]:
    params = request.GET.copy()
    srid = params.pop("srid", [str(STORAGE_SRID)])[-1]
    try:
        srid = int(srid)
    except ValueError:
        raise DomainError("invalid_srid", _("srid is an EPSG code, like 2154.")) from None
    return parse_filters(params, staff=True), srid


def _stream_ogr2ogr(fmt: str, sql: str, srid: int):
    """ogr2ogr's standard output, in chunks; the process is stopped if the client leaves."""
    source, env = pg_source()
    spec = FORMATS[fmt]
    command = ["ogr2ogr", "-f", spec.driver]
    for option in spec.creation_options:
        # A pipe has no room for the .csvt sidecar: types are in the column names' docs.
        if option != "CREATE_CSVT=YES":
            command += ["-lco", option]
    if fmt == "geojson":
        command += ["-nln", "contributions"]
    command += ["-s_srs", f"EPSG:{STORAGE_SRID}", "-t_srs", f"EPSG:{srid}"]
    command += ["/vsistdout/", source, "-sql", sql]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            while chunk := process.stdout.read1(CHUNK):
                yield chunk
        finally:
            process.stdout.close()
            if process.poll() is None:
                process.kill()
            returncode = process.wait()
            if returncode not in (0, -9):
                errors.seek(0)
                # The headers are gone already: the log is where a failure can be told.
                logger.error("staff export failed (exit %s): %s", returncode, errors.read()[-2000:])


def _error(error: DomainError):
    return JsonResponse(
        {"code": error.code, "message": error.message, **error.extra}, status=error.status
    )


@require_GET
def staff_export(request, slug, fmt):
    project = (
        permissions.visible_projects(request.user, "export")
        .select_related("perimeter")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        raise Http404
    try:
        filters, srid = _filters(request)
        check_srid(srid)
        if fmt == "geojson" and srid != STORAGE_SRID:
            raise DomainError(
                "invalid_srid",
                _("GeoJSON is always WGS 84 (RFC 7946): use srid=4326 or leave it out."),
            )
    except ExportError as error:
        return _error(DomainError("invalid_srid", str(error)))
    except DomainError as error:
        return _error(error)
    if shutil.which("ogr2ogr") is None:
        return _error(DomainError("unavailable", _("ogr2ogr is not installed."), status=503))
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    filename = f"{project.slug}-staff-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "gpkg":
        return _gpkg_response(project, filters, srid, language, filename)
    queryset = filtered_contributions(project, filters, public=False)
    sql = contributions_sql(
        queryset,
        public=False,
        language=language,
        base_url=settings.SITE_URL,
        xy_srid=srid if fmt == "csv" else None,
    )
    response = StreamingHttpResponse(
        _stream_ogr2ogr(fmt, sql, srid), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _gpkg_response(project, filters, srid, language, filename):
    folder = Path(tempfile.mkdtemp(prefix="staff-export-"))
    try:
        result = export_layer(
            project=project,
            fmt="gpkg",
            srid=srid,
            output=folder / filename,
            public=False,
            filters=filters,
            base_url=settings.SITE_URL,
            language=language,
        )
        handle = open(result.output, "rb")  # noqa: SIM115 - FileResponse closes it
    except ExportError as error:
        return _error(DomainError("export_failed", str(error), status=500))
    finally:
        # The open handle keeps the data readable; the name is gone at once.
        shutil.rmtree(folder, ignore_errors=True)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["gpkg"]
    )
    response["Cache-Control"] = "private, no-store"
    return response
