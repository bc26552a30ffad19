"""CSV formula injection: every CSV the product writes neutralises a text that a spreadsheet
would run as a formula; GIS formats (GeoJSON, GeoPackage) keep the text as it was written.

Committed once per module: the exports' ogr2ogr reads through its own connection.
"""

import csv
import io
import json
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.translation import gettext_lazy

from contributions.filters import ContributionFilters
from contributions.models import Contribution, Project
from core.escaping import SpreadsheetWriter, spreadsheet_cell, spreadsheet_cell_sql
from layers.diagnostic.bundle import Parameters, run
from privacy.selectors import personal_data, personal_data_csv
from staff.models import Role
from territories.models import Territory
from tests import factories

pytestmark = pytest.mark.django_db
SLUG = "csv-injection"
HYPERLINK = '=HYPERLINK("http://x","y")'
SUM = "@SUM(1)"
DDE = "+1+cmd|' /C calc'!A0"
FORMULAS = [HYPERLINK, SUM, DDE, "-2+3", "\tTAB", "\rCR"]
NUMBER_TEXT = "-12.5"  # read as the number -12.5 by a spreadsheet, never as a formula
EMAIL = "formula-author@example.org"
NICE_CODE = "06088"


def neutralised(text):
    return "'" + text


@pytest.fixture(scope="module")
def formulas(demo, django_db_blocker):
    """A project whose theme, commune and contributions are named like formulas."""
    with django_db_blocker.unblock():
        project = factories.make_project(
            demo.perimeter,
            slug=SLUG,
            publishes_open_data=True,
            title={"fr": HYPERLINK, "en": HYPERLINK},
            themes=[{"slug": "formula", "name": {"fr": HYPERLINK, "en": HYPERLINK}}],
        )
        contributions = [
            factories.make_contribution(
                project,
                lonlat=(7.2620 + 0.0005 * index, 43.7030),
                title=text,
                description=SUM,
                answer=DDE,
                email=EMAIL,
            )
            for index, text in enumerate([*FORMULAS, NUMBER_TEXT])
        ]
        commune = Territory.objects.get(pk=contributions[0].commune_id)
        assert commune.code == NICE_CODE
        former_name = commune.name
        Territory.objects.filter(pk=commune.pk).update(name=SUM)
    yield project
    with django_db_blocker.unblock():
        Territory.objects.filter(pk=commune.pk).update(name=former_name)
        Contribution.objects.filter(project=project).delete()
        Project.objects.filter(pk=project.pk).delete()


def rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read(path):
    # newline="": a carriage return inside a cell is data, not a line ending.
    with open(path, encoding="utf-8", newline="") as stream:
        return stream.read()


def assert_neutralised(records, column):
    """Each formula (the titles) is written with its leading quote, the number-like text as
    it is, and no cell of the column starts a formula."""
    values = [record[column] for record in records]
    for formula in FORMULAS:
        assert neutralised(formula) in values, f"{formula!r} not neutralised in {column}"
    assert NUMBER_TEXT in values
    for value in values:
        assert value == NUMBER_TEXT or not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def assert_cell(records, column, text):
    values = {record[column] for record in records}
    assert neutralised(text) in values and text not in values, (column, values)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, neutralised(HYPERLINK)),
        (SUM, neutralised(SUM)),
        ("+33 6 12", "'+33 6 12"),
        ("-", "'-"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        ("-1\n", "'-1\n"),  # not a plain number: a line break follows
        ("a=1", "a=1"),
        ("", ""),
        (-3, -3),
        (-2.5, -2.5),
        (0, 0),
        (None, None),
    ],
)
def test_the_rule_quotes_formulas_and_keeps_numbers(value, expected):
    assert spreadsheet_cell(value) == expected


def test_a_lazy_translation_is_written_as_its_text():
    label = gettext_lazy("name")
    assert spreadsheet_cell(label) == str(label) and type(spreadsheet_cell(label)) is str


def test_a_negative_number_is_written_as_a_number():
    buffer = io.StringIO()
    SpreadsheetWriter(buffer).writerow([-3, -2.5, "-4", "=1+1", None])
    assert buffer.getvalue() == "-3,-2.5,-4,'=1+1,\r\n"


def test_postgresql_applies_the_same_rule():
    values = [HYPERLINK, SUM, DDE, "-2+3", "\tTAB", "\rCR", "-12.5", "+3", "-1\n", "a=1", ""]
    fragment, params = spreadsheet_cell_sql("v")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {fragment} FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",  # noqa: S608
            [*params, values],
        )
        in_sql = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT {fragment} FROM (SELECT NULL::text AS v) t", params)  # noqa: S608
        assert cursor.fetchone()[0] is None
    assert in_sql == [spreadsheet_cell(value) for value in values]


# ---------------------------------------------------------------- GIS exports


def export(path, fmt, srid=4326, *args):
    call_command(
        "export_layer",
        "--project",
        SLUG,
        "--format",
        fmt,
        "--srid",
        str(srid),
        "--output",
        str(path),
        "--no-progress",
        *args,
        stdout=io.StringIO(),
    )


@pytest.mark.parametrize("public", [False, True])
def test_export_layer_csv_is_neutralised(formulas, tmp_path, public):
    path = tmp_path / "contributions.csv"
    export(path, "csv", 2154, *(["--public"] if public else []))
    records = rows(read(path))
    assert_neutralised(records, "title")
    assert_cell(records, "description", SUM)
    assert_cell(records, "answer", DDE)
    assert_cell(records, "theme_name", HYPERLINK)
    assert_cell(records, "commune_name", SUM)
    # Numbers stay numbers, typed as such in the .csvt.
    assert all(float(record["x"]) > 0 and record["votes"] == "0" for record in records)
    types = path.with_suffix(".csvt").read_text()
    assert "Integer" in types and "Real" in types


def test_geojson_and_geopackage_keep_the_text_as_written(formulas, tmp_path):
    path = tmp_path / "contributions.geojson"
    export(path, "geojson")
    properties = [f["properties"] for f in json.loads(path.read_text())["features"]]
    assert {p["title"] for p in properties} == {*FORMULAS, NUMBER_TEXT}
    assert {p["commune_name"] for p in properties} == {SUM}
    assert {p["theme_name"] for p in properties} == {HYPERLINK}
    path = tmp_path / "contributions.gpkg"
    export(path, "gpkg", 2154)
    with sqlite3.connect(path) as database:
        titles = {title for (title,) in database.execute("SELECT title FROM contributions")}
        answers = {answer for (answer,) in database.execute("SELECT answer FROM contributions")}
    assert titles == {*FORMULAS, NUMBER_TEXT} and answers == {DDE}


def test_staff_export_over_http_is_neutralised(client, formulas):
    analyst = factories.give_role(factories.make_user(), formulas, Role.ANALYST)
    client.force_login(analyst)
    response = client.get(f"/api/projects/{SLUG}/export.csv", {"srid": 2154})
    assert response.status_code == 200
    records = rows(b"".join(response.streaming_content).decode())
    assert_neutralised(records, "title")
    assert_cell(records, "commune_name", SUM)
    response = client.get(f"/api/projects/{SLUG}/export.geojson")
    features = json.loads(b"".join(response.streaming_content))["features"]
    assert {f["properties"]["title"] for f in features} == {*FORMULAS, NUMBER_TEXT}


# ---------------------------------------------------------------- open data


def test_open_data_csv_is_neutralised_and_geojson_is_not(client, formulas):
    response = client.get(f"/api/projects/{SLUG}/opendata.csv")
    records = rows(b"".join(response.streaming_content).decode())
    assert_neutralised(records, "title")
    assert_cell(records, "description", SUM)
    assert_cell(records, "answer", DDE)
    assert_cell(records, "commune_name", SUM)
    assert all(float(record["lon"]) > 0 for record in records)
    response = client.get(f"/api/projects/{SLUG}/opendata.geojson")
    features = json.loads(b"".join(response.streaming_content))["features"]
    assert {f["properties"]["title"] for f in features} == {*FORMULAS, NUMBER_TEXT}


# ---------------------------------------------------------------- staff dashboard


def test_dashboard_csvs_are_neutralised(client, formulas):
    analyst = factories.give_role(factories.make_user(), formulas, Role.ANALYST)
    client.force_login(analyst)
    themes = rows(client.get(f"/fr/staff/{SLUG}/dashboard/themes.csv").content.decode())
    assert_cell(themes, "name", HYPERLINK)
    assert themes[0]["contributions"] == str(len(FORMULAS) + 1)
    communes = rows(client.get(f"/fr/staff/{SLUG}/dashboard/communes.csv").content.decode())
    assert_cell(communes, "name", SUM)


# ---------------------------------------------------------------- diagnostic


def test_diagnostic_areas_csv_is_neutralised_and_geojson_is_not(formulas, tmp_path):
    run(
        project=formulas,
        filters=ContributionFilters(),
        output=tmp_path,
        language="fr",
        parameters=Parameters(minpoints=3),
    )
    records = rows(read(tmp_path / "areas.csv"))
    assert_cell(records, "name", SUM)
    nice = next(record for record in records if record["code"] == NICE_CODE)
    assert nice["contributions"] == str(len(FORMULAS) + 1)
    areas = json.loads((tmp_path / "areas.geojson").read_text())
    names = {f["properties"]["name"] for f in areas["features"]}
    assert SUM in names and neutralised(SUM) not in names


# ---------------------------------------------------------------- personal data


def test_personal_data_csv_is_neutralised_and_json_is_not(formulas):
    data = personal_data(email=EMAIL)
    records = rows(personal_data_csv(data))
    titles = [r for r in records if r["section"] == "contributions" and r["field"] == "title"]
    assert_neutralised(titles, "value")
    assert {c["title"] for c in data["contributions"]} == {*FORMULAS, NUMBER_TEXT}
