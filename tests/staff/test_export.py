"""GET /api/projects/{slug}/export.{geojson,gpkg,csv}: the staff export with private fields,
streamed, for people with a role in the project; 404 for anyone else."""

import csv
import io
import json
import subprocess
import tempfile
from pathlib import Path

import pytest

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
