"""The contributions API through HTTP: perimeter, bad input, visibility, filters."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from contributions.models import Contribution, Status
from tests.contributions.conftest import MENTON, MONACO, NICE, SANREMO, point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/contributions/"


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/geo+json", **extra)


def test_a_point_inside_is_stored_with_its_commune(client, demo):
    before = Contribution.objects.count()
    response = post(client, point(*NICE, email="resident@example.org"))
    assert response.status_code == 201, response.content
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": list(NICE)}
    assert feature["properties"]["commune"] == "06088"
    assert feature["properties"]["status"] == "published"
    assert "resident@example.org" not in response.content.decode()
    stored = Contribution.objects.get(pk=feature["id"])
    assert stored.commune.code == "06088" and stored.email == "resident@example.org"
    assert Contribution.objects.count() == before + 1
    assert response["Location"].endswith(f"{URL}{stored.pk}/")


@pytest.mark.parametrize(("lonlat", "code"), [(MENTON, "06083"), (SANREMO, "008055")])
def test_communes_on_both_sides_of_the_border(client, demo, lonlat, code):
    response = post(client, point(*lonlat))
    assert response.status_code == 201
    assert response.json()["properties"]["commune"] == code


def test_a_point_outside_gets_422_with_the_distance(client, demo):
    before = Contribution.objects.count()
    response = post(client, point(*MONACO))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "outside_perimeter"
    assert body["distance_m"] > 25
    assert "PITER ALPIMED" in body["detail"]
    assert Contribution.objects.count() == before


def test_the_database_refuses_a_row_outside_the_perimeter(demo):
    theme = demo.themes.first()
    far = "SRID=4326;POINT(2.35 48.85)"  # Paris
    with pytest.raises(IntegrityError, match="outside_perimeter"), transaction.atomic():
        Contribution.objects.create(
            project=demo, kind="report", theme=theme, title="x", geom=far, status="published"
        )
    with (
        pytest.raises(IntegrityError, match="outside_perimeter"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            """INSERT INTO contributions_contribution (id, project_id, kind, sentiment,
                   theme_id, title, description, geom, email, channel, status, answer,
                   vote_count, comment_count, created_at, updated_at)
                   VALUES (gen_random_uuid(), %s, 'report', '', %s, 'x', '',
                   ST_GeomFromEWKT(%s), '', 'online', 'published', '', 0, 0, now(), now())""",
            [demo.pk, theme.pk, far],
        )
    # Moving an existing contribution out is refused too.
    inside = Contribution.objects.filter(project=demo).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=inside.pk).update(geom=far)


def huge_line():
    coordinates = ",".join(f"[7.{i % 10},44]" for i in range(100_000))  # under 1 MB
    return (
        '{"type":"Feature","properties":{"kind":"proposal","theme":"infrastructure",'
        f'"title":"t"}},"geometry":{{"type":"LineString","coordinates":[{coordinates}]}}}}'
    )


def with_geometry(geometry):
    feature = point(*NICE)
    feature["geometry"] = geometry
    return json.dumps(feature)


SQUARE_UNCLOSED = [[[7.26, 43.70], [7.27, 43.70], [7.27, 43.71], [7.26, 43.71]]]
BOWTIE = [[[7.26, 43.70], [7.27, 43.71], [7.27, 43.70], [7.26, 43.71], [7.26, 43.70]]]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (with_geometry("POINT ( )"), 400, "malformed_geojson"),
        ("POINT ( )", 400, "malformed_json"),
        (
            with_geometry({"type": "Polygon", "coordinates": SQUARE_UNCLOSED}),
            422,
            "invalid_geometry",
        ),
        (
            with_geometry({"type": "Point", "coordinates": [7.26, 43.7]}).replace("43.7", "NaN"),
            400,
            "malformed_json",
        ),
        (
            with_geometry({"type": "Point", "coordinates": [7.26, 95]}),
            400,
            "coordinates_out_of_range",
        ),
        (with_geometry({"type": "Polygon", "coordinates": BOWTIE}), 422, "invalid_geometry"),
        (
            with_geometry({"type": "Point", "coordinates": [1043000.0, 6300000.0]}),
            400,
            "coordinates_out_of_range",
        ),
        (huge_line(), 413, "too_many_vertices"),
        ("x" * 5_000_000, 413, "body_too_large"),
        (
            with_geometry({"type": "MultiPoint", "coordinates": [[7.26, 43.7]]}),
            422,
            "unsupported_geometry_type",
        ),
        ("{}", 400, "malformed_geojson"),
        (b"\xff\xfe", 400, "malformed_json"),
    ],
    ids=[
        "wkt-geometry",
        "wkt-body",
        "unclosed-ring",
        "nan",
        "latitude-95",
        "self-intersecting",
        "metres",
        "100000-vertices",
        "5MB-body",
        "multipoint",
        "empty-object",
        "not-utf8",
    ],
)
def test_malformed_geojson_gets_4xx_never_500(client, demo, body, status, code):
    before = Contribution.objects.count()
    response = post(client, body)
    assert response.status_code == status, response.content[:300]
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert Contribution.objects.count() == before


@pytest.mark.parametrize(
    ("properties", "code"),
    [
        ({"theme": "tourism"}, "unknown_theme"),
        ({"kind": "petition"}, "invalid"),
        ({"kind": "observation"}, "sentiment_required"),
        ({"sentiment": "positive"}, "sentiment_not_allowed"),
        ({"title": ""}, "invalid"),
        ({"title": "<script>alert(1)</script>" * 10}, "invalid"),
        ({"email": "not-an-email"}, "invalid"),
    ],
)
def test_bad_properties_get_their_own_code(client, demo, properties, code):
    response = post(client, point(*NICE, **properties))
    assert response.status_code in (400, 422)
    assert response.json()["code"] == code


def test_lines_and_areas_within_limits(client, demo):
    line = with_geometry({"type": "LineString", "coordinates": [[7.26, 43.70], [7.27, 43.705]]})
    assert post(client, line).status_code == 201
    long_line = with_geometry({"type": "LineString", "coordinates": [[7.22, 43.70], [7.30, 43.75]]})
    response = post(client, long_line)
    assert (response.status_code, response.json()["code"]) == (422, "line_too_long")
    big = [[[7.22, 43.70], [7.30, 43.70], [7.30, 43.75], [7.22, 43.75], [7.22, 43.70]]]
    response = post(client, with_geometry({"type": "Polygon", "coordinates": big}))
    assert (response.status_code, response.json()["code"]) == (422, "area_too_large")
    demo.allow_lines = False
    demo.save(update_fields=["allow_lines"])
    response = post(client, line)
    assert (response.status_code, response.json()["code"]) == (422, "geometry_type_not_allowed")


def test_a_closed_project_refuses_contributions(client, demo):
    from django.utils import timezone

    demo.closes_at = timezone.now()
    demo.save(update_fields=["closes_at"])
    response = post(client, point(*NICE))
    assert (response.status_code, response.json()["code"]) == (409, "project_closed")


def test_anonymous_contributions_when_the_project_says_no(client, demo, django_user_model):
    demo.allow_anonymous = False
    demo.save(update_fields=["allow_anonymous"])
    response = post(client, point(*NICE))
    assert (response.status_code, response.json()["code"]) == (401, "anonymous_not_allowed")
    client.force_login(django_user_model.objects.create_user("resident", password="x"))
    assert post(client, point(*NICE)).status_code == 201


def hidden_and_unpublished(demo):
    visible = list(Contribution.objects.filter(project=demo, status="published")[:2])
    Contribution.objects.filter(pk=visible[0].pk).update(status=Status.HIDDEN)
    Contribution.objects.filter(pk=visible[1].pk).update(status=Status.SUBMITTED)
    return visible


def test_hidden_and_unpublished_items_are_absent_everywhere(client, demo):
    secret = hidden_and_unpublished(demo)
    listing = client.get(URL, {"limit": 10_000})
    assert listing.status_code == 200
    ids = {f["id"] for f in listing.json()["features"]}
    public = Contribution.objects.public().filter(project=demo).count()
    assert listing.json()["numberMatched"] == public == len(ids)
    for item in secret:
        assert str(item.pk) not in ids
        assert client.get(f"{URL}{item.pk}/").status_code == 404
        assert client.post(f"{URL}{item.pk}/vote/").status_code == 404
        assert client.get(f"{URL}{item.pk}/comments/").status_code == 404
    assert client.get(URL, {"status": "hidden"}).status_code == 400
    assert client.get(URL, {"status": "submitted"}).status_code == 400


def test_list_filters_pagination_and_no_personal_data(client, demo):
    post(client, point(*NICE, email="secret-address@example.org"))
    page = client.get(URL, {"limit": 50})
    body = page.json()
    assert page["Content-Type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 50 < body["numberMatched"]
    assert "offset=50" in body["next"]
    second = client.get(body["next"]).json()
    assert {f["id"] for f in second["features"]}.isdisjoint({f["id"] for f in body["features"]})
    everything = client.get(URL, {"limit": 10_000}).content.decode()
    assert "secret-address" not in everything and '"email"' not in everything

    reports = client.get(URL, {"kind": "report", "limit": 10_000}).json()
    assert reports["features"] and {f["properties"]["kind"] for f in reports["features"]} == {
        "report"
    }
    box = client.get(URL, {"bbox": "7.2,43.65,7.35,43.75", "limit": 10_000}).json()
    assert box["features"]
    for feature in box["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 7.2 <= lon <= 7.35 and 43.65 <= lat <= 43.75
    nice = client.get(URL, {"commune": "06088", "limit": 10_000}).json()
    assert {f["properties"]["commune"] for f in nice["features"]} == {"06088"}
    by_votes = client.get(URL, {"ordering": "-vote_count", "limit": 20}).json()["features"]
    votes = [f["properties"]["vote_count"] for f in by_votes]
    assert votes == sorted(votes, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "7.3,43.7,7.2,43.8"},
        {"bbox": "a,b,c,d"},
        {"ordering": "email"},
        {"limit": 0},
        {"limit": 100_000},
        {"kind": "petition"},
        {"created_after": "yesterday"},
    ],
)
def test_bad_list_queries_get_400(client, demo, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_votes_and_comments(client, demo, django_user_model):
    client.force_login(django_user_model.objects.create_user("voter", password="x"))
    target = Contribution.objects.public().filter(project=demo).first()
    start = target.vote_count
    first = client.post(f"{URL}{target.pk}/vote/")
    again = client.post(f"{URL}{target.pk}/vote/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["vote_count"] == start + 1
    assert client.delete(f"{URL}{target.pk}/vote/").json()["vote_count"] == start
    comment = client.post(
        f"{URL}{target.pk}/comments/", {"body": "Bonne idée !"}, content_type="application/json"
    )
    assert comment.status_code == 201
    listed = client.get(f"{URL}{target.pk}/comments/").json()
    assert [c["body"] for c in listed["results"]] == ["Bonne idée !"]
    feature = client.get(f"{URL}{target.pk}/").json()
    assert feature["properties"]["comment_count"] == target.comment_count + 1


def test_projects_and_schema(client, demo):
    projects = client.get("/api/projects/").json()
    assert [p["slug"] for p in projects] == ["piter-alpimed"]
    detail = client.get("/api/projects/piter-alpimed/").json()
    assert [t["slug"] for t in detail["themes"]] == [
        "infrastructure",
        "economic-development",
        "health-social",
        "services",
    ]
    assert detail["target_contributions"] == 100
    assert detail["perimeter"]["geometry"]["type"] == "MultiPolygon"
    assert set(detail["kinds"]) == {"proposal", "report", "observation"}
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/projects/{slug}/contributions/" in schema.content


def test_public_properties_name_every_property_of_a_feature(client, demo):
    from contributions.selectors import PUBLIC_PROPERTIES

    feature = client.get(URL, {"limit": 1}).json()["features"][0]
    assert list(feature["properties"]) == [*PUBLIC_PROPERTIES, "photos"]
