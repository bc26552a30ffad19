"""OGC API - Features through HTTP: documents, paging, filters, errors."""

import pytest

from contributions.models import Contribution, Status

pytestmark = pytest.mark.django_db
ITEMS = "/ogc/collections/piter-alpimed-contributions/items"


def rels(document):
    return {link["rel"] for link in document["links"]}


def test_landing_conformance_and_api(client, demo):
    landing = client.get("/ogc/")
    assert landing["Content-Type"] == "application/json"
    assert {"self", "service-desc", "conformance", "data"} <= rels(landing.json())
    assert client.get("/ogc").status_code == 200  # clients omit the trailing slash
    classes = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes
    api = client.get("/ogc/api")
    assert api["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/collections/{collectionId}/items" in api.json()["paths"]


def test_collections_with_extents(client, demo):
    body = client.get("/ogc/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids[:2] == ["piter-alpimed-contributions", "territories"]
    # Then the demo questionnaire's map questions (layers.ogc_questionnaires).
    assert ids[2:] and all(i.startswith("piter-alpimed-q-") for i in ids[2:])
    contributions = body["collections"][0]
    west, south, east, north = contributions["extent"]["spatial"]["bbox"][0]
    assert 6.5 < west < east < 8.5 and 43.5 < south < north < 44.7
    assert {"self", "items"} <= rels(contributions)
    assert client.get("/ogc/collections/territories").json()["id"] == "territories"
    assert client.get("/ogc/collections/nowhere").status_code == 404


def test_paging_reads_every_public_feature_once(client, demo):
    public = set(
        str(i)
        for i in Contribution.objects.public().filter(project=demo).values_list("id", flat=True)
    )
    seen, url, pages = [], f"{ITEMS}?limit=70", 0
    while url:
        page = client.get(url)
        assert page["Content-Type"] == "application/geo+json"
        body = page.json()
        assert body["numberMatched"] == len(public)
        assert body["numberReturned"] == len(body["features"])
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1
    assert pages == -(-len(public) // 70)
    assert len(seen) == len(set(seen)) and set(seen) == public


def test_bbox_returns_exactly_the_features_inside(client, demo):
    bbox = (7.2, 43.65, 7.35, 43.75)
    body = client.get(ITEMS, {"bbox": ",".join(map(str, bbox)), "limit": 10000}).json()
    inside = {
        str(c.pk)
        for c in Contribution.objects.public().filter(project=demo)
        if bbox[0] <= c.geom.point_on_surface.x <= bbox[2]
        and bbox[1] <= c.geom.point_on_surface.y <= bbox[3]
    }
    assert inside and {f["id"] for f in body["features"]} == inside


def test_datetime_and_property_filters(client, demo):
    everything = client.get(ITEMS, {"limit": 10000}).json()["features"]
    middle = sorted(f["properties"]["created_at"] for f in everything)[len(everything) // 2]
    recent = client.get(ITEMS, {"datetime": f"{middle}/..", "limit": 10000}).json()
    assert recent["features"]
    assert all(f["properties"]["created_at"] >= middle for f in recent["features"])
    assert recent["numberMatched"] < len(everything)
    reports = client.get(ITEMS, {"kind": "report", "limit": 10000}).json()["features"]
    assert reports and {f["properties"]["kind"] for f in reports} == {"report"}
    themed = client.get(ITEMS, {"theme": "services", "status": "published"}).json()["features"]
    assert all(f["properties"]["theme"] == "services" for f in themed)


def test_one_feature_and_hidden_ones(client, demo):
    visible = Contribution.objects.public().filter(project=demo).first()
    feature = client.get(f"{ITEMS}/{visible.pk}")
    assert feature.status_code == 200 and feature.json()["id"] == str(visible.pk)
    Contribution.objects.filter(pk=visible.pk).update(status=Status.HIDDEN)
    assert client.get(f"{ITEMS}/{visible.pk}").status_code == 404
    assert client.get(f"{ITEMS}/not-a-uuid").status_code == 404
    commune = client.get("/ogc/collections/territories/items/nice-06088").json()
    assert commune["properties"]["code"] == "06088"


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "7.3,43.7,7.2,43.8"},
        {"bbox": "a,b,c,d"},
        {"limit": 0},
        {"limit": "many"},
        {"datetime": "yesterday"},
        {"datetime": "2026-02-01T00:00:00Z/2026-01-01T00:00:00Z"},
        {"kind": "petition"},
        {"colour": "red"},
    ],
)
def test_bad_parameters_get_400(client, demo, params):
    response = client.get(ITEMS, params)
    assert response.status_code == 400
    assert response.json()["code"] and response.json()["description"]


def test_html_views_for_people(client, demo):
    page = client.get("/ogc/collections", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"<h1>" in page.content
    items = client.get(ITEMS, {"f": "html", "limit": 5})
    assert items.status_code == 200 and b"<table>" in items.content
