"""The staff export over HTTP: every status, with the private fields (email, author) and the
moderation state, for people with a role in the project; 404 for anyone else.

Every format the command line writes (layers.exports.formats), in the CRS the person picks
(`srid`: the territory's CRSs or any EPSG code), under a file name that says the CRS.

ogr2ogr (layers/exports/sql.py builds its SELECT) writes GeoJSON and CSV to its standard
output, streamed to the client as it comes, so memory stays constant however many rows. The
other formats are files (a GeoPackage is a database, a Shapefile and a CSV with its .csvt and
.prj are several files, zipped; a QGIS project comes zipped with its GeoPackage): they go to
a temporary folder, handed to the response already unlinked, so they disappear when the
download ends (or fails).
"""

import logging
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.filters import ContributionFilters, parse_filters
from contributions.selectors import filtered_contributions
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from layers.exports.files import export_layer
from layers.exports.formats import FORMATS, ExportError, export_filename, parse_srid
from layers.exports.ogr2ogr import pg_source
from layers.exports.sql import contributions_sql
from staff import permissions
from staff.access import page_context, workspace

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024
# The address's suffix -> (the format written, zipped or not, the answer's content type).
DOWNLOADS = {
    "geojson": ("geojson", False, "application/geo+json"),
    "csv": ("csv", False, "text/csv; charset=utf-8"),
    "gpkg": ("gpkg", False, "application/geopackage+sqlite3"),
    "fgb": ("fgb", False, "application/flatgeobuf"),
    "csv.zip": ("csv", True, "application/zip"),
    "shp.zip": ("shp", True, "application/zip"),
    "qgis.zip": ("qgis", True, "application/zip"),
}
STREAMED = {"geojson", "csv"}
# What a wrong request is told (4xx); any other ExportError is the server's failure.
CLIENT_ERRORS = {"invalid_srid", "invalid_format", "mixed_geometries"}


def _srid(value) -> int:
    try:
        return parse_srid(value)
    except ExportError as error:
        raise DomainError(error.code, str(error)) from None


def _filters(request) -> tuple[ContributionFilters, int]:
    params = request.GET.copy()
    srid = _srid(params.pop("srid", [str(STORAGE_SRID)])[-1])
    return parse_filters(params, staff=True), srid


def _stream_ogr2ogr(fmt: str, sql: str, srid: int):
    """ogr2ogr's standard output, in chunks; the process is stopped if the client leaves."""
    source, env = pg_source()
    spec = FORMATS[fmt]
    command = ["ogr2ogr", "-f", spec.driver]
    for option in spec.creation_options:
        # A pipe has no room for the .csvt sidecar: export.csv.zip carries it.
        if option != "CREATE_CSVT=YES":
            command += ["-lco", option]
    if fmt == "geojson":
        command += ["-nln", "contributions"]
    command += ["-s_srs", f"EPSG:{STORAGE_SRID}", "-t_srs", f"EPSG:{srid}"]
    command += ["/vsistdout/", source, "-sql", sql]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            first = True
            while chunk := process.stdout.read1(CHUNK):
                if first and fmt == "csv" and chunk.startswith(b"WKT,"):
                    # GDAL 3.6 ignores GEOMETRY_NAME on /vsistdout/: the column gets the
                    # name the command line's files give it.
                    chunk = b"geometry," + chunk[4:]
                first = False
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


def _project(request, slug):
    project = (
        permissions.visible_projects(request.user, "export")
        .select_related("perimeter")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        raise Http404
    return project


@require_GET
def staff_export(request, slug, fmt):
    project = _project(request, slug)
    fmt, zipped, content_type = DOWNLOADS[fmt]
    try:
        filters, srid = _filters(request)
        if fmt == "geojson" and srid != STORAGE_SRID:
            raise DomainError(
                "invalid_srid",
                _("GeoJSON is always WGS 84 (RFC 7946): use srid=4326 or leave it out."),
            )
    except DomainError as error:
        return _error(error)
    if shutil.which("ogr2ogr") is None:
        return _error(DomainError("unavailable", _("ogr2ogr is not installed."), status=503))
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    filename = export_filename(project.slug, srid, fmt)
    if fmt not in STREAMED or zipped:
        return _file_response(project, filters, srid, language, fmt, zipped, content_type)
    queryset = filtered_contributions(project, filters, public=False)
    sql = contributions_sql(
        queryset,
        public=False,
        language=language,
        base_url=settings.SITE_URL,
        xy_srid=srid if fmt == "csv" else None,
    )
    response = StreamingHttpResponse(_stream_ogr2ogr(fmt, sql, srid), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(project, filters, srid, language, fmt, zipped, content_type):
    folder = Path(tempfile.mkdtemp(prefix="staff-export-"))
    try:
        result = export_layer(
            project=project,
            fmt=fmt,
            srid=srid,
            output=folder / export_filename(project.slug, srid, fmt),
            public=False,
            filters=filters,
            base_url=settings.SITE_URL,
            language=language,
        )
        download = result.output
        if zipped:
            download = result.output.with_name(result.output.name + ".zip")
            with zipfile.ZipFile(download, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in result.files:
                    archive.write(path, arcname=path.name)
        handle = open(download, "rb")  # noqa: SIM115 - FileResponse closes it
    except ExportError as error:
        status = 400 if error.code in CLIENT_ERRORS else 500
        return _error(DomainError(error.code, str(error), status=status))
    finally:
        # The open handle keeps the data readable; the name is gone at once.
        shutil.rmtree(folder, ignore_errors=True)
    response = FileResponse(
        handle, as_attachment=True, filename=download.name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@workspace("export")
def export_choice(request, project):
    """The workspace's export form (format, CRS from the territory's list or any EPSG code,
    the list's filters): checked here, then sent on to the download's own address."""
    params = request.GET.copy()
    suffix = params.pop("format", [""])[-1]
    chosen = params.pop("srid", [""])[-1]
    other = params.pop("crs", [""])[-1]
    try:
        if suffix not in DOWNLOADS:
            raise DomainError(
                "invalid_format",
                _("Choose one of the formats offered: %(formats)s.")
                % {"formats": ", ".join(DOWNLOADS)},
            )
        srid = _srid(other.strip() or chosen or STORAGE_SRID)
        parse_filters(params, staff=True)
        if suffix == "geojson" and srid != STORAGE_SRID:
            raise DomainError(
                "invalid_srid",
                _(
                    "GeoJSON is always WGS 84 (RFC 7946): choose GeoPackage, CSV or another "
                    "format for EPSG:%(srid)s."
                )
                % {"srid": srid},
            )
    except DomainError as error:
        context = page_context(request, code=error.code, message=error.message)
        return render(request, "staff/export_error.html", context, status=error.status)
    query = urlencode([("srid", srid), *((k, v) for k in params for v in params.getlist(k) if v)])
    target = reverse("staff-export", kwargs={"slug": project.slug, "fmt": suffix})
    return HttpResponseRedirect(f"{target}?{query}")
