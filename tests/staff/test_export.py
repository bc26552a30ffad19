"""GET /api/projects/{slug}/export.{geojson,gpkg,csv}: the staff export with private fields,
streamed, for people with a role in the project; 404 for anyone else."""

import csv
import io
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from contributions.models import Contribution

pytestmark = pytest.mark.django_db


def url(project, fmt):
    return f"/api/projects/{project.slug}/export.{fmt}"


def test_geojson_is_streamed_with_every_status_and_private_fields(client, demo, analyst):
    client.force_login(analyst)
    response = client.get(url(demo, "geojson"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/geo+json"
    assert "attachment" in response["Content-Disposition"]
    collection = json.loads(b"".join(response.streaming_content))
    assert len(collection["features"]) == Contribution.objects.filter(project=demo).count()
    properties = collection["features"][0]["properties"]
    assert "email" in properties and "author_id" in properties


def test_csv_with_filters_and_projected_coordinates(client, demo, manager):
    client.force_login(manager)
    response = client.get(url(demo, "csv"), {"kind": "report", "srid": "2154"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == Contribution.objects.filter(project=demo, kind="report").count() > 0
    assert {"email", "author_id", "x", "y"} <= set(rows[0])
    point = next(row for row in rows if row["x"])
    assert 900_000 < float(point["x"]) < 1_200_000  # Lambert-93 metres, not degrees


def test_geopackage_is_complete_and_its_temporary_file_is_gone(client, demo, moderator):
    client.force_login(moderator)
    before = set(Path(tempfile.gettempdir()).glob("staff-export-*"))
    response = client.get(url(demo, "gpkg"), {"srid": "32632"})
    assert response.status_code == 200
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.gpkg"
        target.write_bytes(b"".join(response.streaming_content))
        info = subprocess.run(
            ["ogrinfo", "-ro", "-so", str(target), "contributions_points"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    assert f"Feature Count: {Contribution.objects.filter(project=demo).count()}" in info
    assert "32632" in info and "email" in info
    assert set(Path(tempfile.gettempdir()).glob("staff-export-*")) == before


def test_bad_parameters_are_400(client, demo, analyst):
    client.force_login(analyst)
    assert client.get(url(demo, "geojson"), {"srid": "2154"}).json()["code"] == "invalid_srid"
    assert client.get(url(demo, "csv"), {"srid": "999999"}).status_code == 400
    assert client.get(url(demo, "csv"), {"colour": "red"}).json()["code"] == "unknown_parameter"
    assert client.get(url(demo, "csv"), {"status": "lost"}).status_code == 400


HOSTILE_CRS = ["EPSG:999999", "EPSG:2154\x00", "\x00", "9" * 10_000, "EPSG:2154; DROP", "5773"]


@pytest.mark.parametrize("crs", HOSTILE_CRS)
def test_hostile_crs_is_a_clear_400(client, demo, analyst, crs):
    client.force_login(analyst)
    for fmt in ("gpkg", "csv", "qgis.zip"):
        response = client.get(url(demo, fmt), {"srid": crs})
        assert response.status_code == 400
        body = response.json()
        if "\x00" in crs:  # refused before any view reads it
            assert body["code"] == "nul_byte"
        else:
            assert body["code"] == "invalid_srid" and "EPSG" in body["message"]
    choice = client.get(f"/api/projects/{demo.slug}/export", {"format": "gpkg", "crs": crs})
    assert choice.status_code == 400
    if "\x00" not in crs:
        assert 'data-code="invalid_srid"' in choice.content.decode()


def test_file_name_says_the_crs(client, demo, analyst):
    client.force_login(analyst)
    response = client.get(url(demo, "gpkg"), {"srid": "EPSG:2154"})
    assert response.status_code == 200
    assert 'filename="piter-alpimed_contributions_EPSG2154.gpkg"' in response["Content-Disposition"]
    response = client.get(url(demo, "csv"), {"srid": "32632"})
    assert "piter-alpimed_contributions_EPSG32632.csv" in response["Content-Disposition"]
    header = b"".join(response.streaming_content).decode().splitlines()[0].split(",")
    assert "geometry" in header and "WKT" not in header  # as the command line names it


def _zip(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(content))


def test_every_command_line_format_is_offered(client, demo, manager, tmp_path):
    client.force_login(manager)
    count = Contribution.objects.filter(project=demo).count()
    with _zip(client.get(url(demo, "csv.zip"), {"srid": "3035"})) as archive:
        names = set(archive.namelist())
        stem = "piter-alpimed_contributions_EPSG3035"
        assert names == {f"{stem}.csv", f"{stem}.csvt", f"{stem}.prj"}
        archive.extractall(tmp_path / "csv")
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(tmp_path / "csv" / f"{stem}.csv")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Feature Count: {count}" in info and "votes: Integer" in info
    assert "ETRS89-extended / LAEA Europe" in info

    response = client.get(url(demo, "fgb"), {"srid": "32632"})
    assert response.status_code == 200
    assert "EPSG32632.fgb" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"fgb")

    with _zip(client.get(url(demo, "shp.zip"), {"srid": "2154"})) as archive:
        assert {Path(n).suffix for n in archive.namelist()} >= {".shp", ".dbf", ".shx", ".prj"}

    with _zip(client.get(url(demo, "qgis.zip"), {"srid": "2154"})) as archive:
        assert set(archive.namelist()) == {
            "piter-alpimed_contributions_EPSG2154.qgz",
            "piter-alpimed_contributions_EPSG2154.gpkg",
        }


def test_the_form_sends_its_choice_to_the_download(client, demo, analyst):
    client.force_login(analyst)
    page = client.get(reverse("staff:diagnostic", args=[demo.slug]))
    assert page.status_code == 200
    assert 'name="format"' in page.content.decode() and 'name="crs"' in page.content.decode()
    response = client.get(
        f"/api/projects/{demo.slug}/export",
        {"format": "gpkg", "srid": "2154", "crs": "", "kind": "report"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(demo, 'gpkg')}?srid=2154&kind=report"
    response = client.get(
        f"/api/projects/{demo.slug}/export", {"format": "csv", "srid": "2154", "crs": "3035"}
    )
    assert response["Location"] == f"{url(demo, 'csv')}?srid=3035"
    wrong = client.get(f"/api/projects/{demo.slug}/export", {"format": "docx"})
    assert wrong.status_code == 400 and 'data-code="invalid_format"' in wrong.content.decode()
    geojson = client.get(f"/api/projects/{demo.slug}/export", {"format": "geojson", "srid": "2154"})
    assert geojson.status_code == 400
