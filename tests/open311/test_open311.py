"""Open311 GeoReport v2 through HTTP, as a client sees it: discovery, services, posting a
report with an API key, reading it back in JSON and XML, errors, privacy, hostile text."""

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from contributions.models import Contribution, Photo, Status
from open311.models import ApiClient
from tests.contributions.conftest import MONACO, NICE

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
FORM = "application/x-www-form-urlencoded"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
SPEC_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
THEMES = ["infrastructure", "economic-development", "health-social", "services"]


@pytest.fixture
def api_key(demo):
    return ApiClient.objects.create(name="Application de la ville").key


def report(api_key, **fields):
    return {
        "api_key": api_key,
        "service_code": "piter-alpimed.infrastructure",
        "lat": NICE[1],
        "long": NICE[0],
        "description": "Nid de poule dangereux\nDevant l'école, côté trottoir.",
        **fields,
    }


def post(client, fields, fmt="json"):
    """As real Open311 clients post: form-encoded fields."""
    return client.post(f"{BASE}requests.{fmt}", data=urlencode(fields), content_type=FORM)


def as_json(response, status=200):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def as_xml(response, status=200):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


def xml_records(root):
    """[{child tag: text}] for each record under a list root (<services><service>...)."""
    return [{child.tag: child.text for child in record} for record in root]


def create_report(demo, **fields):
    values = {
        "project": demo,
        "kind": "report",
        "theme": demo.themes.get(slug="infrastructure"),
        "title": "Lampadaire éteint",
        "geom": f"SRID=4326;POINT({NICE[0]} {NICE[1]})",
        "status": Status.PUBLISHED,
        **fields,
    }
    return Contribution.objects.create(**values)


def listed_ids(client, **params):
    return {r["service_request_id"] for r in as_json(client.get(f"{BASE}requests.json", params))}


# ------------------------------------------------------------- discovery and services


def test_discovery_in_json_and_xml(client, demo):
    body = as_json(client.get(f"{BASE}discovery.json"))
    assert body["changeset"] and body["contact"]
    [endpoint] = body["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2/",
        "changeset": body["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    root = as_xml(client.get(f"{BASE}discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("changeset") == body["changeset"]
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert root.findtext("endpoints/endpoint/specification") == endpoint["specification"]
    assert root.findtext("endpoints/endpoint/type") == "production"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_in_json_and_xml(client, demo):
    services = as_json(client.get(f"{BASE}services.json"))
    assert [s["service_code"] for s in services] == [f"piter-alpimed.{t}" for t in THEMES]
    infrastructure = services[0]
    assert infrastructure == {
        "service_code": "piter-alpimed.infrastructure",
        "service_name": "Infrastructures",
        "description": "PITER ALPIMED : le territoire de demain",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "PITER ALPIMED : le territoire de demain",
    }
    root = as_xml(client.get(f"{BASE}services.xml"))
    assert root.tag == "services" and {child.tag for child in root} == {"service"}
    records = xml_records(root)
    assert [r["service_code"] for r in records] == [s["service_code"] for s in services]
    assert records[0]["service_name"] == "Infrastructures"
    assert records[0]["metadata"] == "false"
    assert records[0]["keywords"] is None  # an empty element

    italian = as_json(client.get(f"{BASE}services.json", HTTP_ACCEPT_LANGUAGE="it"))
    assert italian[0]["service_name"] == "Infrastrutture"


def test_a_project_without_reports_offers_no_service(client, demo):
    demo.kinds = ["proposal", "observation"]
    demo.save(update_fields=["kinds"])
    assert as_json(client.get(f"{BASE}services.json")) == []


# ------------------------------------------------------------------ posting a report


def test_post_a_report_and_read_it_back(demo, api_key):
    client = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: the key is enough
    fields = report(api_key, email="resident@example.org", first_name="Jeanne", last_name="D")
    response = post(client, fields)
    [created] = as_json(response, status=201)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["service_notice"] and created["account_id"] is None
    request_id = created["service_request_id"]
    assert response["Location"] == f"http://testserver{BASE}requests/{request_id}.json"

    stored = Contribution.objects.get(pk=request_id)
    assert (stored.kind, stored.channel, stored.theme.slug) == (
        "report",
        "online",
        "infrastructure",
    )
    assert stored.title == "Nid de poule dangereux"
    assert stored.description == fields["description"]
    assert stored.email == "resident@example.org"
    assert stored.commune.code == "06088"

    [read] = as_json(client.get(f"{BASE}requests/{request_id}.json"))
    assert read["service_request_id"] == request_id
    assert read["description"] == fields["description"]
    assert (read["lat"], read["long"]) == (NICE[1], NICE[0])
    assert (read["status"], read["status_notes"]) == ("open", None)
    assert read["service_code"] == "piter-alpimed.infrastructure"
    assert read["service_name"] == "Infrastructures"
    assert read["agency_responsible"] == "PITER ALPIMED : le territoire de demain"
    assert read["zipcode"] == "06088"
    assert (read["address"], read["address_id"], read["expected_datetime"]) == ("", "", None)
    assert read["media_url"] == ""
    assert read["requested_datetime"].startswith(str(timezone.localdate()))
    text = client.get(f"{BASE}requests/{request_id}.json").content.decode()
    assert "resident@example.org" not in text and "Jeanne" not in text

    root = as_xml(client.get(f"{BASE}requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    [record] = xml_records(root)
    assert record["service_request_id"] == request_id
    assert record["description"] == fields["description"]
    assert (float(record["lat"]), float(record["long"])) == (NICE[1], NICE[0])
    assert record["status"] == "open"

    Contribution.objects.filter(pk=request_id).update(
        status=Status.DONE, answer="Réparé le 3 mars.", answered_at=timezone.now()
    )
    [answered] = as_json(client.get(f"{BASE}requests/{request_id}.json"))
    assert (answered["status"], answered["status_notes"]) == ("closed", "Réparé le 3 mars.")
    [record] = xml_records(as_xml(client.get(f"{BASE}requests/{request_id}.xml")))
    assert (record["status"], record["status_notes"]) == ("closed", "Réparé le 3 mars.")


def test_post_in_xml(client, demo, api_key):
    root = as_xml(post(client, report(api_key), fmt="xml"), status=201)
    assert root.tag == "service_requests"
    [record] = xml_records(root)
    assert Contribution.objects.filter(pk=record["service_request_id"]).exists()
    assert record["service_notice"] and record["account_id"] is None


def test_a_long_first_line_makes_a_140_character_title(client, demo, api_key):
    description = "Route " + "très " * 60 + "abîmée\n\nDétails."
    [created] = as_json(post(client, report(api_key, description=description)), status=201)
    stored = Contribution.objects.get(pk=created["service_request_id"])
    assert len(stored.title) <= 140 and description.startswith(stored.title)
    assert stored.description == description.strip()


def test_moderated_projects_publish_later(client, demo, api_key):
    demo.moderation = "before"
    demo.save(update_fields=["moderation"])
    [created] = as_json(post(client, report(api_key)), status=201)
    assert Contribution.objects.get(pk=created["service_request_id"]).status == Status.SUBMITTED
    assert client.get(f"{BASE}requests/{created['service_request_id']}.json").status_code == 404


def test_a_key_limited_to_other_projects_gets_403(client, demo):
    from contributions.models import Project

    other = Project.objects.create(slug="autre", title={"fr": "Autre"}, perimeter=demo.perimeter)
    limited = ApiClient.objects.create(name="Limitée")
    limited.projects.add(other)
    before = Contribution.objects.count()
    [error] = as_json(post(client, report(limited.key)), status=403)
    assert error["code"] == 403 and error["description"].startswith("[api_key_not_allowed]")
    limited.projects.add(demo)
    as_json(post(client, report(limited.key)), status=201)
    assert Contribution.objects.count() == before + 1


# ----------------------------------------------------------------------------- errors


def inactive_key():
    return ApiClient.objects.create(name="Révoquée", is_active=False).key


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        (lambda key: {**report(key), "api_key": ""}, 403, "api_key_required"),
        (
            lambda key: {k: v for k, v in report(key).items() if k != "api_key"},
            403,
            "api_key_required",
        ),
        (lambda key: {**report(key), "api_key": "not-a-key"}, 403, "invalid_api_key"),
        (lambda key: report(inactive_key()), 403, "invalid_api_key"),
        (
            lambda key: report(key, service_code="piter-alpimed.tourism"),
            400,
            "unknown_service_code",
        ),
        (lambda key: report(key, service_code=""), 400, "service_code_required"),
        (lambda key: report(key, lat=MONACO[1], long=MONACO[0]), 422, "outside_perimeter"),
        (lambda key: report(key, lat="", long=""), 400, "location_required"),
        (lambda key: report(key, lat="43,70"), 400, "invalid_coordinates"),
        (lambda key: report(key, lat="95"), 400, "coordinates_out_of_range"),
        (lambda key: report(key, long="nan"), 400, "coordinates_out_of_range"),
        (lambda key: report(key, description="  "), 400, "description_required"),
        (lambda key: report(key, description="x" * 5001), 400, "description_too_long"),
        (lambda key: report(key, email="not-an-email"), 400, "invalid"),
    ],
    ids=[
        "empty-key",
        "no-key",
        "unknown-key",
        "inactive-key",
        "unknown-service",
        "no-service",
        "outside-perimeter",
        "no-location",
        "comma-decimal",
        "latitude-95",
        "nan",
        "no-description",
        "description-too-long",
        "bad-email",
    ],
)
def test_errors_in_the_spec_format_and_nothing_written(client, demo, api_key, fields, status, code):
    before = Contribution.objects.count()
    [error] = as_json(post(client, fields(api_key)), status=status)
    assert set(error) == {"code", "description"}
    assert error["code"] == status
    assert error["description"].startswith(f"[{code}] ")
    assert Contribution.objects.count() == before


def test_errors_in_xml(client, demo, api_key):
    root = as_xml(post(client, report(""), fmt="xml"), status=403)
    assert root.tag == "errors" and [child.tag for child in root] == ["error"]
    assert root.findtext("error/code") == "403"
    assert root.findtext("error/description").startswith("[api_key_required] ")

    root = as_xml(post(client, report(api_key, lat=MONACO[1], long=MONACO[0]), "xml"), 422)
    description = root.findtext("error/description")
    assert root.findtext("error/code") == "422"
    assert description.startswith("[outside_perimeter] ") and "PITER ALPIMED" in description

    root = as_xml(post(client, report(api_key, service_code="nope"), "xml"), status=400)
    assert "piter-alpimed.infrastructure" in root.findtext("error/description")


def test_unknown_service_says_which_codes_exist(client, demo, api_key):
    [error] = as_json(post(client, report(api_key, service_code="piter-alpimed.tourism")), 400)
    assert error["description"].startswith("[unknown_service_code] ")
    for theme in THEMES:
        assert f"piter-alpimed.{theme}" in error["description"]


def test_address_only_posts_are_not_supported(client, demo, api_key):
    fields = report(api_key, lat="", long="", address_string="2 rue de France, Nice")
    [error] = as_json(post(client, fields), status=400)
    assert error["description"].startswith("[location_required] ")
    assert "address_string" in error["description"]


def test_a_closed_project_refuses_reports(client, demo, api_key):
    demo.closes_at = timezone.now()
    demo.save(update_fields=["closes_at"])
    root = as_xml(post(client, report(api_key), fmt="xml"), status=409)
    assert root.findtext("error/description").startswith("[project_closed] ")


def test_json_bodies_are_refused_with_415(client, demo, api_key):
    response = client.post(f"{BASE}requests.json", report(api_key), content_type="application/json")
    [error] = as_json(response, status=415)
    assert error["description"].startswith("[unsupported_media_type] ")


def test_unknown_formats_ids_and_methods(client, demo):
    for path in ("services.html", "discovery.csv", "requests.yaml"):
        [error] = as_json(client.get(f"{BASE}{path}"), status=404)
        assert error["description"].startswith("[unknown_format] ")
    for request_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        [error] = as_json(client.get(f"{BASE}requests/{request_id}.json"), status=404)
        assert error["description"].startswith("[not_found] ")
        root = as_xml(client.get(f"{BASE}requests/{request_id}.xml"), status=404)
        assert root.findtext("error/code") == "404"
    response = client.post(f"{BASE}services.json")
    assert as_json(response, status=405)[0]["code"] == 405
    assert response["Allow"] == "GET, HEAD"


# -------------------------------------------------------------- the requests list


def test_the_list_shows_only_public_reports_and_no_personal_data(client, demo):
    visible = create_report(demo, email="hidden-address@example.org")
    hidden = create_report(demo, status=Status.HIDDEN)
    submitted = create_report(demo, status=Status.SUBMITTED)
    proposal = create_report(demo, kind="proposal")
    response = client.get(f"{BASE}requests.json")
    records = as_json(response)
    ids = {r["service_request_id"] for r in records}
    assert str(visible.pk) in ids
    assert ids.isdisjoint({str(hidden.pk), str(submitted.pk), str(proposal.pk)})
    assert 0 < len(records) <= 1000
    reports = Contribution.objects.public().filter(kind="report")
    assert ids <= {str(pk) for pk in reports.values_list("pk", flat=True)}
    assert {frozenset(r) for r in records} == {frozenset(SPEC_FIELDS)}
    text = response.content.decode() + client.get(f"{BASE}requests.xml").content.decode()
    assert "hidden-address" not in text
    for secret in (hidden, submitted, proposal):
        assert client.get(f"{BASE}requests/{secret.pk}.json").status_code == 404
        assert client.get(f"{BASE}requests.json", {"service_request_id": secret.pk}).json() == []
    # The XML list carries exactly the same requests.
    root = as_xml(client.get(f"{BASE}requests.xml"))
    assert {r["service_request_id"] for r in xml_records(root)} == ids


def test_status_service_code_id_and_date_filters(client, demo):
    done = create_report(demo, status=Status.DONE, answer="Fait.")
    open_one = create_report(demo, status=Status.UNDER_REVIEW)
    health = create_report(demo, theme=demo.themes.get(slug="health-social"))
    old = create_report(demo, created_at=timezone.now() - timedelta(days=200))

    closed = as_json(client.get(f"{BASE}requests.json", {"status": "closed"}))
    assert closed and {r["status"] for r in closed} == {"closed"}
    assert str(done.pk) in {r["service_request_id"] for r in closed}
    opened = as_json(client.get(f"{BASE}requests.json", {"status": "open"}))
    assert opened and {r["status"] for r in opened} == {"open"}
    assert str(open_one.pk) in {r["service_request_id"] for r in opened}
    assert listed_ids(client, status="open,closed") == listed_ids(client)

    codes = {"service_code": "piter-alpimed.health-social"}
    by_service = as_json(client.get(f"{BASE}requests.json", codes))
    assert {r["service_code"] for r in by_service} == {"piter-alpimed.health-social"}
    assert str(health.pk) in {r["service_request_id"] for r in by_service}

    # Ninety days by default; older ones with dates; service_request_id overrides the rest.
    assert str(old.pk) not in listed_ids(client)
    window = {
        "start_date": (timezone.now() - timedelta(days=201)).isoformat(),
        "end_date": (timezone.now() - timedelta(days=199)).isoformat(),
    }
    assert listed_ids(client, **window) >= {str(old.pk)}
    assert str(done.pk) not in listed_ids(client, **window)
    assert listed_ids(client, start_date=str((timezone.now() - timedelta(days=201)).date())) >= {
        str(old.pk),
        str(done.pk),
    }
    both = f"{old.pk},{done.pk},not-an-id"
    assert listed_ids(client, service_request_id=both, status="open") == {str(old.pk), str(done.pk)}

    for params, code in [
        ({"status": "pending"}, "unknown_status"),
        ({"service_code": "tourism"}, "unknown_service_code"),
        ({"start_date": "yesterday"}, "invalid_date"),
        ({"end_date": "2026-13-45"}, "invalid_date"),
    ]:
        [error] = as_json(client.get(f"{BASE}requests.json", params), status=400)
        assert error["description"].startswith(f"[{code}] ")


def test_areas_are_placed_on_a_point_of_their_surface_and_photos_linked(client, demo):
    square = "POLYGON((7.26 43.70, 7.265 43.70, 7.265 43.705, 7.26 43.705, 7.26 43.70))"
    area = create_report(demo, geom=f"SRID=4326;{square}")
    photo = Photo.objects.create(
        contribution=area, position=0, large="x/large.jpg", thumbnail="x/t.jpg", width=1, height=1
    )
    Photo.objects.create(
        contribution=area, position=1, large="y/large.jpg", thumbnail="y/t.jpg", width=1, height=1
    )
    [record] = as_json(client.get(f"{BASE}requests/{area.pk}.json"))
    assert 7.26 <= record["long"] <= 7.265 and 43.70 <= record["lat"] <= 43.705
    assert record["media_url"] == f"http://testserver/photos/{photo.id}/large.jpg"


def test_a_web_contribution_keeps_its_title_in_the_description(client, demo):
    both = create_report(demo, title="Banc cassé", description="Place Garibaldi.")
    title_only = create_report(demo, title="Banc cassé", description="")
    [record] = as_json(client.get(f"{BASE}requests/{both.pk}.json"))
    assert record["description"] == "Banc cassé\n\nPlace Garibaldi."
    [record] = as_json(client.get(f"{BASE}requests/{title_only.pk}.json"))
    assert record["description"] == "Banc cassé"


# ---------------------------------------------------------------------- hostile text


def test_hostile_text_is_escaped_in_xml_and_plain_data_in_json(client, demo, api_key):
    hostile = '<script>alert(1)</script> & "quotes" ]]> l\'été\r\nligne 2'
    [created] = as_json(post(client, report(api_key, description=hostile)), status=201)
    request_id = created["service_request_id"]

    response = client.get(f"{BASE}requests/{request_id}.xml")
    assert b"<script>" not in response.content
    [record] = xml_records(as_xml(response))
    assert record["description"] == hostile

    response = client.get(f"{BASE}requests/{request_id}.json")
    assert response["X-Content-Type-Options"] == "nosniff"
    [read] = as_json(response)
    assert read["description"] == hostile


def test_characters_xml_cannot_carry_are_dropped_not_breaking_the_document(client, demo):
    control = create_report(demo, title="Bip", description="Bip\x07 \x0bfin")
    [record] = xml_records(as_xml(client.get(f"{BASE}requests/{control.pk}.xml")))
    assert record["description"] == "Bip fin"
    assert as_json(client.get(f"{BASE}requests/{control.pk}.json"))[0]["description"] == (
        "Bip\x07 \x0bfin"
    )


# ------------------------------------------------------------------------ the admin


def test_staff_create_a_key_in_the_admin_and_see_it_once(client, demo, django_user_model):
    staff = django_user_model.objects.create_superuser("staff", "staff@example.org", "x")
    client.force_login(staff)
    response = client.post(
        "/admin/open311/apiclient/add/",
        {"name": "Application de la ville", "is_active": "on", "projects": [demo.pk]},
        follow=True,
    )
    assert response.status_code == 200
    created = ApiClient.objects.get(name="Application de la ville")
    assert list(created.projects.all()) == [demo]
    # Shown once, in the message after creation; the database keeps only its digest.
    shown = re.search(r"\s([\w-]{40,})\s—", response.content.decode()).group(1)
    assert created.key_digest == hashlib.sha256(shown.encode()).hexdigest()
    assert not hasattr(created, "key")
    stored = " ".join(
        str(value) for value in ApiClient.objects.filter(pk=created.pk).values().get().values()
    )
    assert shown not in stored
    page = client.get(f"/admin/open311/apiclient/{created.pk}/change/").content.decode()
    assert shown not in page and f"{shown[:4]}…" in page
    assert shown not in client.get("/admin/open311/apiclient/").content.decode()
    as_json(post(Client(), report(shown)), status=201)
