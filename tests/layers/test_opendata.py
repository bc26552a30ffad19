"""Open data downloads: streamed, public items only, no personal data, readable by GDAL."""

import csv
import io
import json
import subprocess

import pytest

from contributions.models import Contribution, Status

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/opendata"


def body(response):
    return b"".join(response.streaming_content).decode()


def test_only_projects_that_publish_open_data(client, demo):
    assert client.get(f"{URL}.geojson").status_code == 404


@pytest.fixture
def open_project(demo):
    demo.publishes_open_data = True
    demo.save(update_fields=["publishes_open_data"])
    items = list(Contribution.objects.filter(project=demo, status=Status.PUBLISHED)[:3])
    Contribution.objects.filter(pk=items[0].pk).update(email="private@example.org")
    Contribution.objects.filter(pk=items[1].pk).update(status=Status.HIDDEN)
    Contribution.objects.filter(pk=items[2].pk).update(status=Status.SUBMITTED)
    return demo, items


def test_geojson_is_streamed_without_personal_data_or_hidden_items(client, open_project, tmp_path):
    project, (with_email, hidden, submitted) = open_project
    response = client.get(f"{URL}.geojson")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/geo+json"
    text = body(response)
    collection = json.loads(text)
    ids = {f["id"] for f in collection["features"]}
    assert len(ids) == Contribution.objects.public().filter(project=project).count()
    assert str(with_email.pk) in ids
    assert str(hidden.pk) not in ids and str(submitted.pk) not in ids
    assert "private@example.org" not in text and '"email"' not in text and "author" not in text
    assert collection["license"] == "ODbL-1.0"
    target = tmp_path / "open.geojson"
    target.write_text(text)
    info = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(target)], capture_output=True, text=True, check=True
    )
    assert f"Feature Count: {len(ids)}" in info.stdout


def test_csv_with_coordinates(client, open_project):
    project, _items = open_project
    rows = list(csv.DictReader(io.StringIO(body(client.get(f"{URL}.csv", {"kind": "report"})))))
    expected = Contribution.objects.public().filter(project=project, kind="report").count()
    assert len(rows) == expected > 0
    assert {row["kind"] for row in rows} == {"report"}
    assert all(row["geometry"].startswith(("POINT", "LINESTRING", "POLYGON")) for row in rows)
    assert "email" not in rows[0]


def test_bad_filters_are_400(client, open_project):
    response = client.get(f"{URL}.geojson", {"kind": "petition"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert client.get(f"{URL}.geojson", {"colour": "red"}).json()["code"] == "unknown_parameter"
