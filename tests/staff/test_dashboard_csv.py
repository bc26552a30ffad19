"""The dashboard's CSVs as a French or Italian spreadsheet opens them: UTF-8 with a byte order
mark (accents intact), a semicolon variant with headers in the reader's language, and the
comma variant's column names kept for scripts."""

import csv
import io

import pytest

from staff.selectors import dashboard

pytestmark = pytest.mark.django_db


def _get(client, project, name, language="fr", **params):
    response = client.get(f"/{language}/staff/{project.slug}/dashboard/{name}.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


def test_every_csv_starts_with_a_bom_and_keeps_accents(client, demo, analyst):
    client.force_login(analyst)
    for name in dashboard.TABLES:
        for params in ({}, {"sep": "semicolon"}):
            raw = _get(client, demo, name, **params).content
            assert raw.startswith(b"\xef\xbb\xbf"), (name, params)
    raw = _get(client, demo, "communes").content
    # A spreadsheet detects the BOM and reads UTF-8: the names come out whole.
    text = raw.decode("utf-8-sig")
    names = {row["name"] for row in csv.DictReader(io.StringIO(text))}
    assert {"Èze", "Sospel"} <= names
    # Read as Latin-1 (what Excel does without a BOM) the accent would be garbled.
    assert "Ãˆze" not in text


def test_the_comma_variant_keeps_the_column_names(client, demo, analyst):
    client.force_login(analyst)
    rows = list(csv.reader(io.StringIO(_get(client, demo, "kinds").content.decode("utf-8-sig"))))
    assert rows[0] == ["kind", "label", "contributions", "percent"]


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        ("fr", ["code officiel", "nom", "population", "contributions"]),
        ("it", ["codice ufficiale", "nome", "popolazione", "contributi"]),
    ],
)
def test_the_semicolon_variant_opens_in_a_french_or_italian_spreadsheet(
    client, demo, analyst, language, headers
):
    client.force_login(analyst)
    response = _get(client, demo, "communes", language, sep="semicolon")
    assert "semicolon" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] + "\n" + text.splitlines()[1])
    assert dialect.delimiter == ";"
    rows = list(csv.reader(io.StringIO(text), dialect))
    assert rows[0][:4] == headers
    assert len(rows) - 1 == len(dashboard.by_commune(demo).rows)
    names = {row[1] for row in rows[1:]}
    assert {"Èze", "Sospel"} <= names
    # Decimals with a comma, as the reader's spreadsheet expects them.
    per_1000 = [row[4] for row in rows[1:] if row[4]]
    assert per_1000 and all("." not in value for value in per_1000)
    assert any("," in value for value in per_1000)
