"""The dashboard: the project's figures, its small map and weekly bars, each table also as
CSV."""

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone

from core.escaping import SpreadsheetWriter
from staff.access import page_context, workspace
from staff.selectors.dashboard import HEADINGS, TABLES, summary
from staff.selectors.maps import map_points, perimeter_frame
from staff.selectors.partner_dashboard import PARTNER_TABLES
from staff.selectors.partner_dashboard import section as partner_section


@workspace("dashboard")
def dashboard(request, project):
    tables = {name: build(project) for name, build in TABLES.items() if name != "summary"}
    figures = summary(project)
    frame = perimeter_frame(project)
    points = [
        {**frame.marker(spot), "colour": colour} for spot, colour in map_points(project) if spot
    ]
    weeks = tables["weeks"].rows
    peak = max((row[1] for row in weeks), default=0)
    return render(
        request,
        "staff/dashboard.html",
        page_context(
            request,
            figures=figures,
            tables=tables,
            frame=frame,
            points=points,
            weeks=weeks,
            bars=[
                {
                    "x": index + 0.1,
                    "h": round(100 * n / peak, 2),
                    "y": round(100 - 100 * n / peak, 2),
                    "label": week_label(week, n),
                }
                for index, (week, n, _cumulative) in enumerate(weeks)
            ],
            peak=peak,
            week_ticks=week_ticks(weeks),
            # The bar is full once the target is reached; the figure itself goes on.
            target_bar=min(100, figures["target_progress_percent"] or 0),
            partner=partner_section(project),
        ),
    )


def week_label(week: str, n: int) -> str:
    """A bar's tooltip: its week's first day written the reader's way, and its count."""
    day = formats.date_format(date.fromisoformat(week), "SHORT_DATE_FORMAT")
    return f"{HEADINGS['week']} {day}: {formats.localize(n)}"


def week_ticks(weeks, most=5) -> list:
    """The dates written under the weekly bars: the first and last weeks and a few evenly
    spaced between, each placed at its bar's middle (a percentage of the chart's width)."""
    if not weeks:
        return []
    count = len(weeks)
    if count <= most:
        picked = range(count)
    else:
        picked = sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})
    return [
        {"day": date.fromisoformat(weeks[i][0]), "left": round(100 * (i + 0.5) / count, 2)}
        for i in picked
    ]


# Every CSV starts with a byte order mark: Excel then reads it as UTF-8 ("Èze", not "Ãze").
BOM = "\ufeff"


@workspace("dashboard")
def dashboard_csv(request, project, name):
    """Two variants (docs/staff.md): by default comma-separated with the column names as
    headers, for scripts; with `?sep=semicolon`, what French and Italian spreadsheets open
    by a double click: semicolons, decimal commas where the reader's language writes them,
    and headers in the reader's language."""
    build = TABLES.get(name) or PARTNER_TABLES.get(name)
    if build is None:
        raise Http404
    semicolon = request.GET.get("sep") == "semicolon"
    table = build(project)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    suffix = "-semicolon" if semicolon else ""
    response["Content-Disposition"] = (
        f'attachment; filename="{project.slug}-{name}-{day}{suffix}.csv"'
    )
    response.write(BOM)
    # Theme and commune names are data: one that reads as a formula is written as text.
    if semicolon:
        writer = SpreadsheetWriter(response, delimiter=";")
        writer.writerow([str(heading) for heading in table.headings])
        decimal = formats.get_format("DECIMAL_SEPARATOR")
        writer.writerows(
            [str(v).replace(".", decimal) if isinstance(v, float) else v for v in row]
            for row in table.rows
        )
    else:
        writer = SpreadsheetWriter(response)
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return response
