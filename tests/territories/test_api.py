"""GET /api/territories/at/ and /api/territories/{slug}.geojson."""

import json

import pytest

from territories.models import Territory

pytestmark = pytest.mark.django_db


def test_territories_at_a_point(client, real_territories):
    response = client.get("/api/territories/at/", {"lon": 7.262, "lat": 43.703})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "slug": "nice-06088",
        "name": "Nice",
        "code": "06088",
        "kind": "commune",
        "country": "FR",
    }


def test_territories_at_monaco_is_empty(client, real_territories):
    body = client.get("/api/territories/at/", {"lon": 7.4246, "lat": 43.7384}).json()
    assert body == {"count": 0, "results": []}


def test_kind_filter(client, real_territories):
    body = client.get(
        "/api/territories/at/", {"lon": 7.262, "lat": 43.703, "kind": "province"}
    ).json()
    assert body["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lon": "east", "lat": 43.7},
        {"lon": 7.2, "lat": 95},
        {"lon": 7.2, "lat": 43.7, "kind": "x"},
    ],
)
def test_bad_queries_get_400_with_a_code(client, params):
    response = client.get("/api/territories/at/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert body["fields"]


def test_territory_geojson_simplified(client, real_territories):
    full = client.get("/api/territories/sanremo-008055.geojson")
    light = client.get("/api/territories/sanremo-008055.geojson", {"simplify": 100})
    assert full.status_code == light.status_code == 200
    assert full["Content-Type"] == "application/geo+json"
    feature, simplified = full.json(), light.json()
    assert feature["type"] == "Feature"
    assert feature["properties"]["code"] == "008055"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert len(json.dumps(simplified["geometry"])) < len(json.dumps(feature["geometry"])) / 3


def test_unknown_territory_is_404_json(client):
    response = client.get("/api/territories/atlantis-00000.geojson")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_closed_generations_are_not_served(client, real_territories):
    sanremo = Territory.objects.get(code="008055")
    Territory.objects.filter(pk=sanremo.pk).update(valid_until="2020-01-01T00:00Z")
    assert client.get("/api/territories/sanremo-008055.geojson").status_code == 404
    assert client.get("/api/territories/at/", {"lon": 7.776, "lat": 43.817}).json()["count"] == 0


def test_admin_shows_territories_with_a_map(admin_client, real_territories):
    sanremo = Territory.objects.get(code="008055")
    response = admin_client.get(f"/admin/territories/territory/{sanremo.pk}/change/")
    assert response.status_code == 200
    assert b"Sanremo" in response.content
    # django-leaflet's admin map, served by the site (no OpenLayers from a CDN).
    assert b"geom" in response.content and b"leaflet/leaflet.forms.js" in response.content
    assert b"ol.js" not in response.content and b"cdn" not in response.content.lower()
