"""Location precision through the API: sent, stored, listed; bad values refused with the
API's error shape; lines and areas only exact; rows written without it are exact."""

import json

import pytest
from django.db import connection

from contributions.models import Contribution, LocationPrecision
from tests.contributions.conftest import NICE, point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/contributions/"


def post(client, feature):
    return client.post(URL, data=json.dumps(feature), content_type="application/geo+json")


@pytest.mark.parametrize("precision", LocationPrecision.values)
def test_a_point_keeps_the_precision_it_was_sent_with(client, demo, precision):
    response = post(client, point(*NICE, title=f"Placé {precision}", location_precision=precision))
    assert response.status_code == 201, response.content
    feature = response.json()
    assert feature["properties"]["location_precision"] == precision
    assert Contribution.objects.get(pk=feature["id"]).location_precision == precision
    listed = client.get(URL, {"limit": 10_000}).json()["features"]
    assert {f["id"]: f for f in listed}[feature["id"]]["properties"]["location_precision"] == (
        precision
    )


def test_without_a_precision_a_point_is_exact(client, demo):
    response = post(client, point(*NICE))
    assert response.status_code == 201
    assert response.json()["properties"]["location_precision"] == "exact"


@pytest.mark.parametrize("value", ["street", "", None, 3, ["commune"]])
def test_a_bad_precision_gets_400_naming_the_field(client, demo, value):
    before = Contribution.objects.count()
    response = post(client, point(*NICE, location_precision=value))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert list(body["fields"]) == ["location_precision"]
    assert Contribution.objects.count() == before


def test_a_line_or_an_area_is_always_exact(client, demo):
    line = point(*NICE, location_precision="commune")
    line["geometry"] = {"type": "LineString", "coordinates": [[7.26, 43.70], [7.27, 43.705]]}
    before = Contribution.objects.count()
    response = post(client, line)
    assert (response.status_code, response.json()["code"]) == (422, "precision_needs_a_point")
    assert response.json()["field"] == "location_precision"
    assert Contribution.objects.count() == before
    line["properties"]["location_precision"] = "exact"
    assert post(client, line).status_code == 201


def test_rows_written_without_a_precision_are_exact(demo):
    """Imports and bulk inserts in raw SQL get the database default."""
    theme = demo.themes.first()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO contributions_contribution (id, project_id, kind, sentiment,
                   theme_id, title, description, geom, email, channel, status, answer,
                   vote_count, comment_count, created_at, updated_at)
               VALUES (gen_random_uuid(), %s, 'report', '', %s, 'raw', '',
                   ST_SetSRID(ST_MakePoint(%s, %s), 4326), '', 'online', 'published', '', 0, 0,
                   now(), now())
               RETURNING location_precision""",
            [demo.pk, theme.pk, *NICE],
        )
        assert cursor.fetchone()[0] == "exact"
