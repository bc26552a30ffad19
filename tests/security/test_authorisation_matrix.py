"""Who may do what to which contribution, through every door.

MATRIX below is the expected answer, written down once: for each surface and action, the
objects each role may reach. Every cell (role x object x action x surface) is then exercised
through the Django test client. A denied request answers 404 (or 403, or the sign-in page
for staff pages), says nothing of the object (neither its title nor, beyond the address
asked, its id), and answers exactly as for a random id, so hidden ids cannot be enumerated.
Nothing public ever carries a private email.

Residents cannot edit a contribution once submitted: there is no resident edit route at all
(the API answers 405 to PUT, PATCH and DELETE on a contribution), and every change of status
or text is a staff action (moderate, answer), listed as such below.
"""

import json
import math
import re
import uuid

import mapbox_vector_tile
import pytest
from django.test import Client

from contributions.models import Contribution, Status
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "resident_a", "resident_b", "moderator_p1", "analyst_p2", "superuser"]
OBJECTS = ["published", "submitted", "hidden", "rejected", "other_project", "draft"]

PUBLIC = frozenset({"published", "rejected", "other_project"})  # rejected keeps its answer public
P1 = frozenset({"published", "submitted", "hidden", "rejected", "draft"})
P2 = frozenset({"other_project"})
ALL = P1 | P2
NONE = frozenset()


def everyone(objects):
    return dict.fromkeys(ROLES, objects)


def signed_in(objects):
    return {**everyone(objects), "anonymous": NONE}


def staff(*, moderator, analyst, superuser=ALL):
    return {
        "anonymous": NONE,
        "resident_a": NONE,
        "resident_b": NONE,
        "moderator_p1": moderator,
        "analyst_p2": analyst,
        "superuser": superuser,
    }


# (surface, action) -> role -> the objects that role may reach there.
MATRIX = {
    # Public pages: nobody sees an unpublished item there, not even its author or staff.
    ("page", "view"): everyone(PUBLIC),
    ("page", "list"): everyone(PUBLIC),
    # A vote is an account's (or, where a project says so, a confirmed address's): an
    # anonymous browser is refused (401), whatever it may read.
    ("page", "vote"): signed_in(PUBLIC),
    # The demo project takes anonymous comments (they wait for a moderator).
    ("page", "comment"): everyone(PUBLIC),
    ("api", "view"): everyone(PUBLIC),
    ("api", "list"): everyone(PUBLIC),
    ("api", "vote"): signed_in(PUBLIC),
    ("api", "comment"): everyone(PUBLIC),
    ("api", "edit"): everyone(NONE),  # no resident edit route: 405 for everyone
    ("clusters", "list"): everyone(PUBLIC),
    ("tiles", "list"): everyone(PUBLIC),
    ("ogc", "view"): everyone(PUBLIC),
    ("ogc", "list"): everyone(PUBLIC),
    ("open311", "view"): everyone(PUBLIC),
    ("open311", "list"): everyone(PUBLIC),
    ("opendata", "export"): everyone(PUBLIC),
    ("photo", "view"): everyone(PUBLIC),
    # The staff side: a role in the object's project, whatever the object's status.
    ("staff", "view"): staff(moderator=P1, analyst=P2),
    ("staff", "export"): staff(moderator=P1, analyst=P2),
    ("staff", "moderate"): staff(moderator=P1, analyst=NONE),
    # A hidden item must be published again before it is answered (409 hidden).
    ("staff", "answer"): staff(moderator=P1 - {"hidden"}, analyst=NONE, superuser=ALL - {"hidden"}),
}
STAFF_SURFACES = {"staff"}
# Surfaces asked about one object by its id: a denied answer is a refusal, the same as a
# random id's; a search by id answers an empty list, the same as a random id's too.
SEARCH_BY_ID = {("open311", "list")}
DETAIL = {
    ("page", "view"),
    ("page", "vote"),
    ("page", "comment"),
    ("api", "view"),
    ("api", "vote"),
    ("api", "comment"),
    ("ogc", "view"),
    ("open311", "view"),
    ("photo", "view"),
    ("staff", "view"),
    ("staff", "answer"),
}


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def marker(contribution) -> str:
    """The unique label at the start of a factory title ("hidden#12")."""
    return contribution.title.split(" ", 1)[0]


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


# ------------------------------------------------------------------ probes
# Each probe asks one surface about one object (or, with `ident`, about an id of its choice)
# and returns (allowed, response).


def _obj(world, name, ident):
    obj = world.objects[name]
    return obj, obj.project.slug, ident or obj.pk


def page_view(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/fr/p/{slug}/c/{ident}/")
    return response.status_code == 200, response


def page_list(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    response = client.get(f"/fr/p/{slug}/list/")
    assert response.status_code == 200
    return str(obj.pk) in response.content.decode(), response


def page_vote(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.post(f"/fr/p/{slug}/c/{ident}/", {"action": "vote"})
    return response.status_code == 302, response


def page_comment(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.post(
        f"/fr/p/{slug}/c/{ident}/", {"action": "comment", "body": factories.hostile("c")}
    )
    return response.status_code == 302, response


def api_view(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/api/projects/{slug}/contributions/{ident}/")
    return response.status_code == 200, response


def api_list(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    response = client.get(f"/api/projects/{slug}/contributions/?limit=10000")
    assert response.status_code == 200
    ids = {f["id"] for f in json.loads(response.content)["features"]}
    return str(obj.pk) in ids, response


def api_vote(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.post(f"/api/projects/{slug}/contributions/{ident}/vote/")
    return response.status_code in (200, 201), response


def api_comment(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.post(
        f"/api/projects/{slug}/contributions/{ident}/comments/",
        {"body": factories.hostile("comment")},
        content_type="application/json",
    )
    return response.status_code == 201, response


def api_edit(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    url = f"/api/projects/{slug}/contributions/{ident}/"
    before = Contribution.objects.values("title", "status").get(pk=obj.pk)
    answers = [
        client.patch(url, {"properties": {"title": "edited"}}, content_type="application/json"),
        client.put(url, {"properties": {"title": "edited"}}, content_type="application/json"),
        client.delete(url),
    ]
    after = Contribution.objects.values("title", "status").get(pk=obj.pk)
    assert all(r.status_code == 405 for r in answers), [r.status_code for r in answers]
    return before != after, answers[0]


def _public_lonlat(obj):
    obj.refresh_from_db(fields=["public_geom"])
    point = obj.public_geom.point_on_surface
    return point.x, point.y


def clusters_list(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    lon, lat = _public_lonlat(obj)
    bbox = f"{lon - 0.0005},{lat - 0.0005},{lon + 0.0005},{lat + 0.0005}"
    response = client.get(f"/api/projects/{slug}/clusters/?bbox={bbox}&zoom=22")
    assert response.status_code == 200
    ids = {f["properties"].get("id") for f in json.loads(response.content)["features"]}
    return str(obj.pk) in ids, response


def tiles_list(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    x, y = tile_of(*_public_lonlat(obj), 16)
    response = client.get(f"/tiles/{slug}/16/{x}/{y}.pbf")
    assert response.status_code in (200, 204)
    if response.status_code == 204:
        return False, response
    layers = mapbox_vector_tile.decode(response.content)
    features = layers.get("contributions", {}).get("features", [])
    ids = {f["properties"].get("id") for f in features}
    return str(obj.pk) in ids, response


def ogc_view(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/ogc/collections/{slug}-contributions/items/{ident}?f=json")
    return response.status_code == 200, response


def ogc_list(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    response = client.get(f"/ogc/collections/{slug}-contributions/items?limit=10000&f=json")
    assert response.status_code == 200
    ids = {str(f["id"]) for f in json.loads(response.content)["features"]}
    return str(obj.pk) in ids, response


def open311_view(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/open311/v2/requests/{ident}.json")
    return response.status_code == 200, response


def open311_list(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/open311/v2/requests.json?service_request_id={ident}")
    assert response.status_code == 200
    ids = {r["service_request_id"] for r in json.loads(response.content)}
    return str(obj.pk) in ids, response


def opendata_export(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    response = client.get(f"/api/projects/{slug}/opendata.geojson")
    assert response.status_code == 200
    ids = {f["id"] for f in json.loads(body_of(response))["features"]}
    return str(obj.pk) in ids, response


def photo_view(client, world, name, ident=None):
    photo = ident or world.photos[name].pk
    response = client.get(f"/photos/{photo}/large.jpg")
    return response.status_code == 200, response


def staff_view(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.get(f"/fr/staff/{slug}/c/{ident}/")
    return response.status_code == 200, response


def staff_export(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    response = client.get(f"/api/projects/{slug}/export.geojson")
    if response.status_code != 200:
        return False, response
    ids = {f["properties"]["id"] for f in json.loads(body_of(response))["features"]}
    assert str(obj.pk) in ids  # a role in the project: every status
    return True, response


def staff_moderate(client, world, name, ident=None):
    obj, slug, _ident = _obj(world, name, ident)
    action = "hide" if obj.status in (Status.PUBLISHED, Status.REJECTED) else "publish"
    response = client.post(
        f"/fr/staff/{slug}/moderate/",
        {"action": action, "items": [f"contribution:{obj.pk}"], "reason_text": "test"},
    )
    now = Contribution.objects.values_list("status", flat=True).get(pk=obj.pk)
    return now != obj.status, response


def staff_answer(client, world, name, ident=None):
    obj, slug, ident = _obj(world, name, ident)
    response = client.post(
        f"/fr/staff/{slug}/c/{ident}/",
        {"status": Status.ACCEPTED, "answer": factories.hostile("answer")},
    )
    now = Contribution.objects.values_list("status", flat=True).get(pk=obj.pk)
    return now == Status.ACCEPTED, response


PROBES = {
    ("page", "view"): page_view,
    ("page", "list"): page_list,
    ("page", "vote"): page_vote,
    ("page", "comment"): page_comment,
    ("api", "view"): api_view,
    ("api", "list"): api_list,
    ("api", "vote"): api_vote,
    ("api", "comment"): api_comment,
    ("api", "edit"): api_edit,
    ("clusters", "list"): clusters_list,
    ("tiles", "list"): tiles_list,
    ("ogc", "view"): ogc_view,
    ("ogc", "list"): ogc_list,
    ("open311", "view"): open311_view,
    ("open311", "list"): open311_list,
    ("opendata", "export"): opendata_export,
    ("photo", "view"): photo_view,
    ("staff", "view"): staff_view,
    ("staff", "export"): staff_export,
    ("staff", "moderate"): staff_moderate,
    ("staff", "answer"): staff_answer,
}


def test_every_cell_of_the_matrix_has_a_probe():
    assert set(PROBES) == set(MATRIX)
    for row in MATRIX.values():
        assert set(row) == set(ROLES)
        assert all(objects <= ALL for objects in row.values())


def client_for(world, role):
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _normalised(response, ident) -> tuple[int, bytes]:
    body = body_of(response).replace(str(ident).encode(), b"<id>")
    return response.status_code, CSRF_TOKEN.sub(b"", body)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("surface_action", list(MATRIX), ids="-".join)
def test_authorisation_matrix(world, role, surface_action):
    surface, _action = surface_action
    probe = PROBES[surface_action]
    allowed_objects = MATRIX[surface_action][role]
    failures = []
    for name in OBJECTS:
        client = client_for(world, role)
        obj = world.objects[name]
        allowed, response = probe(client, world, name)
        body = body_of(response)
        expected = name in allowed_objects
        if allowed != expected:
            failures.append(
                f"{name}: {'allowed' if allowed else 'denied'} ({response.status_code})"
            )
            continue
        if surface not in STAFF_SURFACES:
            leaked = [e for e in world.private_emails if e.encode() in body]
            assert not leaked, f"{name}: private emails in a public answer: {leaked}"
        if "html" in response.get("Content-Type", ""):
            text = body.decode(errors="replace")
            for live in factories.LIVE:
                assert live not in text, f"{name}: unescaped payload in {surface_action}"
        if expected or name in MATRIX.get((surface, "view"), {}).get(role, NONE):
            # Allowed, or refused for a domain reason to someone who may read the object.
            continue
        # Denied: a refusal that says nothing, the same as for an id that never existed.
        assert marker(obj).encode() not in body, f"{name}: title in a denied answer"
        if surface_action in DETAIL | SEARCH_BY_ID:
            if surface_action in DETAIL:
                assert response.status_code in (302, 403, 404), (name, response.status_code)
            other = uuid.uuid4()
            _allowed, random_response = probe(client_for(world, role), world, name, ident=other)
            assert _normalised(response, _ident(world, surface, name)) == _normalised(
                random_response, other
            ), f"{name}: the answer differs from a random id's"
        elif surface_action != ("api", "edit"):
            assert str(obj.pk).encode() not in body, f"{name}: id in a denied answer"
    assert not failures, f"{role} on {surface_action}: " + "; ".join(failures)


def _ident(world, surface, name):
    return world.photos[name].pk if surface == "photo" else world.objects[name].pk
