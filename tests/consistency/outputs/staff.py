"""The staff dashboard: its page and its CSV tables (hidden contributions counted apart)."""

import csv
import io
import re

from contributions.models import Status
from tests.consistency.outputs.common import body, number, rows_by_code, staff_client, used
from tests.consistency.truth import Figures


def _table(client, project, name):
    text = body(client.get(f"/fr/staff/{project.slug}/dashboard/{name}.csv")).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def dashboard_page(client, project, filters):
    if used(filters):
        return None  # the page shows the project's figures, unfiltered
    html = body(staff_client().get(f"/fr/staff/{project.slug}/dashboard/")).decode()
    match = re.search(r'data-figure="contributions">([^<]+)<', html)
    return Figures(number(match.group(1)))


def dashboard_csv(client, project, filters):
    """The summary when unfiltered; one table's rows for one kind of filter (kinds, themes,
    statuses or a commune); nothing for places, dates or filters on two things at once."""
    staff = staff_client()
    fields = used(filters)
    if not fields:
        summary = {row["figure"]: row["value"] for row in _table(staff, project, "summary")}
        communes = _table(staff, project, "communes")
        return Figures(
            int(summary["contributions"]),
            votes=int(summary["votes"]),
            communes=rows_by_code((row["commune"], row["contributions"]) for row in communes),
        )
    if len(fields) > 1:
        return None
    if filters.kinds:
        rows = _table(staff, project, "kinds")
        return Figures(sum(int(r["contributions"]) for r in rows if r["kind"] in filters.kinds))
    if filters.themes:
        rows = _table(staff, project, "themes")
        return Figures(sum(int(r["contributions"]) for r in rows if r["theme"] in filters.themes))
    if filters.statuses:
        rows = _table(staff, project, "statuses")
        count = sum(int(r["contributions"]) for r in rows if r["status"] in filters.statuses)
        if Status.HIDDEN in filters.statuses:  # left out of the tables, counted apart
            summary = {row["figure"]: row["value"] for row in _table(staff, project, "summary")}
            count += int(summary["hidden"])
        return Figures(count)
    if filters.commune:
        rows = _table(staff, project, "communes")
        found = rows_by_code((r["commune"], r["contributions"]) for r in rows)
        matching = {
            code: n for code, n in found.items() if (code or "").split(" ")[0] == filters.commune
        }
        return Figures(sum(matching.values()), communes=matching)
    return None
