"""The outputs that show the vote on the partners' projects, each read as a person or a GIS
client reads it: the public results page, the API, the OGC API collection, the staff
dashboard (page and CSVs), the diagnostic's report and both GeoPackage exports."""

import csv
import io
import json
import re
import sqlite3
import tempfile
from html import unescape
from pathlib import Path

from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from tests.consistency.outputs.common import body, number, staff_client
from tests.consistency.partner_truth import PartnerFigures

_ROW = re.compile(r"<tr data-(id|theme|code)=\"([^\"]+)\"[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.DOTALL)


def _cells(html: str, attribute: str) -> dict:
    """{data-<attribute> value: [cell texts]} of a page's table rows."""
    found = {}
    for kind, value, inner in _ROW.findall(html):
        if kind == attribute:
            found[value] = [
                unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in _CELL.findall(inner)
            ]
    return found


def _headings(table: str) -> list[str]:
    """A table's column headings as the page writes them."""
    head = table[table.index("<thead") : table.index("</thead>")]
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in _CELL.findall(head)]


def _column(table: str, msgid: str, language: str = "fr") -> int:
    """The index of the column headed by `msgid` in the page's language."""
    with translation.override(language):
        return _headings(table).index(gettext(msgid))


def _projects(table: str) -> dict:
    """{id: (votes, for, against, rank)} from a ranking table, its columns found by their
    headings (Rank, For, Against, Votes), wherever the page puts them."""
    rank, votes = _column(table, "Rank"), _column(table, "Votes")
    if _mean_column(table) is not None:  # rating mode: no for or against
        return {pk: (_int(c[votes]), 0, 0, _int(c[rank])) for pk, c in _cells(table, "id").items()}
    up, down = _column(table, "For"), _column(table, "Against")
    return {
        pk: (_int(c[votes]), _int(c[up]), _int(c[down]), _int(c[rank]))
        for pk, c in _cells(table, "id").items()
    }


def _mean_column(table: str) -> int | None:
    with translation.override("fr"):
        heading = gettext("Mean rating (1 to 5)")
    headings = _headings(table)
    return headings.index(heading) if heading in headings else None


def _means(table: str) -> dict | None:
    """{id: mean rating} from a ranking table in rating mode, else None."""
    column = _mean_column(table)
    if column is None:
        return None
    return {pk: _float(c[column]) for pk, c in _cells(table, "id").items()}


def _float(text) -> float | None:
    text = str(text).strip().replace("\xa0", "").replace(",", ".")
    return None if text in ("", "–", "-", "None") else float(text)


def _int(text) -> int | None:
    text = str(text).strip()
    return None if text in ("", "–", "-", "None") else number(text)


def _table(html: str, marker: str) -> str:
    """The table whose opening tag holds `marker`, up to its end."""
    start = html.index(marker)
    return html[start : html.index("</table>", start)]


def results_page(client, project) -> PartnerFigures:
    """/fr/p/<slug>/partner-projects/results/: rank, title, theme, for, against, votes, share
    per project; turnout; by theme (projects, people, votes, ...); by commune (people, ...)."""
    html = body(client.get(f"/fr/p/{project.slug}/partner-projects/results/")).decode()
    ranking = _table(html, 'class="ranking"')
    themes_table = _table(html, 'class="by-theme"')
    votes = _column(themes_table, "Votes")
    themes = {slug: _int(c[votes]) for slug, c in _cells(themes_table, "theme").items()}
    communes = {}
    if 'class="by-commune"' in html:
        table = _table(html, 'class="by-commune"')
        people = _column(table, "People who voted")
        communes = {code: _int(c[people]) for code, c in _cells(table, "code").items()}
    projects = _projects(ranking)
    participants = int(re.search(r'id="turnout" data-participants="(\d+)"', html)[1])
    return PartnerFigures(projects, participants, themes, communes, _means(ranking))


def api_list(client, project) -> PartnerFigures:
    """GET /api/projects/<slug>/partner-projects/: each feature's `results`."""
    data = json.loads(body(client.get(f"/api/projects/{project.slug}/partner-projects/")))
    projects, means = {}, {}
    for feature in data["features"]:
        results = feature["properties"].get("results") or {}
        projects[feature["id"]] = (
            results.get("votes"),
            results.get("votes_for"),
            results.get("votes_against"),
            results.get("rank") if results.get("votes") else None,
        )
        means[feature["id"]] = results.get("mean_rating")
    return PartnerFigures(projects=projects, means=_rating(project, means))


def ogc_items(client, project) -> PartnerFigures:
    """The OGC API collection `<slug>-partner-projects`, in Lambert-93 (Part 2)."""
    response = client.get(
        f"/ogc/collections/{project.slug}-partner-projects/items",
        {"crs": "http://www.opengis.net/def/crs/EPSG/0/2154"},
    )
    data = json.loads(body(response))
    means = {f["id"]: f["properties"]["mean_rating"] for f in data["features"]}
    return PartnerFigures(
        means=_rating(project, means),
        projects={
            f["id"]: (
                f["properties"]["votes"],
                f["properties"]["votes_for"],
                f["properties"]["votes_against"],
                f["properties"]["rank"] if f["properties"]["votes"] else None,
            )
            for f in data["features"]
        },
    )


def _rating(project, means: dict) -> dict | None:
    """The means read, in rating mode only (None otherwise: nothing to compare)."""
    project.refresh_from_db(fields=["partner_vote_mode"])
    return means if project.partner_vote_mode == "rating" else None


def _csv(client, project, name):
    text = body(client.get(f"/fr/staff/{project.slug}/dashboard/{name}.csv")).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def dashboard_csv(client, project) -> PartnerFigures:
    staff = staff_client()
    ranking = _csv(staff, project, "partner_ranking")
    turnout = {row["figure"]: row["value"] for row in _csv(staff, project, "partner_turnout")}
    return PartnerFigures(
        projects={
            row["id"]: (
                int(row["votes"]),
                int(row.get("votes_for", 0)),
                int(row.get("votes_against", 0)),
                _int(row["rank"]),
            )
            for row in ranking
        },
        means=_rating(project, {row["id"]: _float(row.get("mean_rating")) for row in ranking}),
        participants=int(turnout["participants"]),
        themes={row["theme"]: int(row["votes"]) for row in _csv(staff, project, "partner_themes")},
        communes={
            row["commune"]: int(row["participants"])
            for row in _csv(staff, project, "partner_communes")
        },
    )


def dashboard_page(client, project) -> PartnerFigures:
    html = body(staff_client().get(f"/fr/staff/{project.slug}/dashboard/")).decode()
    match = re.search(r'data-figure="partner_participants">([^<]+)<', html)
    return PartnerFigures(participants=number(match[1]))


_bundles: dict = {}


def _bundle(project) -> tuple[str, dict]:
    """report.html and summary.json of `manage.py diagnostic`, written once per project."""
    if project.pk not in _bundles:
        with tempfile.TemporaryDirectory() as folder:
            call_command(
                "diagnostic",
                *("--project", project.slug, "--output", folder, "--no-progress"),
                stdout=io.StringIO(),
            )
            html = (Path(folder) / "report.html").read_text(encoding="utf-8")
            summary = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))
        _bundles[project.pk] = html, summary
    return _bundles[project.pk]


def forget():
    _bundles.clear()


def diagnostic_summary(client, project) -> PartnerFigures:
    """summary.json's `partner_vote`."""
    vote = _bundle(project)[1]["partner_vote"]
    return PartnerFigures(
        projects={
            row["id"]: (row["votes"], row["votes_for"], row["votes_against"], row["rank"])
            for row in vote["projects"]
        },
        participants=vote["participants"],
        themes={slug: row["votes"] for slug, row in vote["by_theme"].items()},
        communes={code: row["participants"] for code, row in vote["by_commune"].items()},
    )


def diagnostic_report(client, project) -> PartnerFigures:
    """report.html of `manage.py diagnostic`: the partner projects' section."""
    html = _bundle(project)[0]
    section = html[html.index('id="partner-projects"') :]
    return PartnerFigures(
        projects=_projects(_table(section, 'class="partner-ranking"')),
        participants=int(re.search(r'id="partner-turnout" data-participants="(\d+)"', section)[1]),
        themes={slug: _int(c[3]) for slug, c in _cells(section, "theme").items()},
        communes={code: _int(c[2]) for code, c in _cells(section, "code").items()},
    )


def _geopackage(project, public: bool) -> PartnerFigures:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "partner.gpkg"
        options = ["--public"] if public else []
        call_command(
            "export_layer",
            *("--project", project.slug, "--format", "gpkg", "--srid", "2154"),
            *("--output", str(path), "--no-progress", *options),
            stdout=io.StringIO(),
        )
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute(
                "SELECT id, votes, votes_for, votes_against, rank FROM partner_projects"
            ).fetchall()
        finally:
            connection.close()
    return PartnerFigures(
        projects={pk: (v, f, a, rank if v else None) for pk, v, f, a, rank in rows}
    )


def staff_geopackage(client, project) -> PartnerFigures:
    return _geopackage(project, public=False)


def open_data_geopackage(client, project) -> PartnerFigures:
    return _geopackage(project, public=True)
