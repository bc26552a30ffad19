"""The export for the programming call: the kept proposals with their evaluations and decision,
as a CSV (UTF-8 with a byte order mark; `?sep=semicolon` for French and Italian spreadsheets,
with headings in the reader's language and decimal commas, as the dashboard's tables) or a
GeoPackage (one layer, WGS84). `?meeting=<id>`: one meeting's kept proposals, else all
meetings'. Staff with the export's role only (managers, analysts)."""

import tempfile
from pathlib import Path

import numpy
import pyogrio
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.views.decorators.http import require_GET

from core.escaping import SpreadsheetWriter
from core.postgis import STORAGE_SRID
from staff.access import workspace
from staff.models import Meeting
from staff.selectors.programming import programming_table

# Every CSV starts with a byte order mark: Excel then reads it as UTF-8 ("Èze", not "Ãze").
BOM = "\ufeff"
LAYER = "kept_proposals"


def _meeting(project, request):
    raw = request.GET.get("meeting", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return get_object_or_404(Meeting, project=project, pk=int(raw))


@require_GET
@workspace("programming_export")
def programming_export(request, project, fmt):
    if fmt not in ("csv", "gpkg"):
        raise Http404
    meeting = _meeting(project, request)
    table = programming_table(project, meeting)
    day = timezone.localdate().isoformat()
    scope = f"meeting-{meeting.pk}" if meeting else "all-meetings"
    name = f"{project.slug}-kept-proposals-{scope}-{day}"
    if fmt == "csv":
        return _csv(request, table, name)
    return _gpkg(table, name)


def _csv(request, table, name):
    semicolon = request.GET.get("sep") == "semicolon"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "-semicolon" if semicolon else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    response.write(BOM)
    writer = SpreadsheetWriter(response, delimiter=";" if semicolon else ",")
    # The spreadsheet variant's headings are in the reader's language, as the dashboard's.
    writer.writerow(table.headings if semicolon else table.columns)
    decimal = formats.get_format("DECIMAL_SEPARATOR") if semicolon else "."
    for row in table.rows:
        writer.writerow(
            [
                ""
                if value is None
                else str(value).replace(".", decimal)
                if isinstance(value, float)
                else value
                for value in row
            ]
        )
    return response


def _column(table, index, column):
    values = [row[index] for row in table.rows]
    if column in table.scale_columns or column in ("votes", "comments", "longitude", "latitude"):
        return numpy.array([numpy.nan if v is None else float(v) for v in values], dtype="f8")
    return numpy.array(["" if v is None else str(v) for v in values], dtype=object)


def _gpkg(table, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.gpkg"
        geometries = numpy.array([geom.wkb.tobytes() for geom in table.geometries], dtype=object)
        pyogrio.raw.write(
            str(path),
            geometries,
            [_column(table, i, column) for i, column in enumerate(table.columns)],
            table.columns,
            layer=LAYER,
            driver="GPKG",
            geometry_type="Unknown",
            crs=f"EPSG:{STORAGE_SRID}",
            encoding="UTF-8",
        )
        content = path.read_bytes()
    response = HttpResponse(content, content_type="application/geopackage+sqlite3")
    response["Content-Disposition"] = f'attachment; filename="{name}.gpkg"'
    return response
