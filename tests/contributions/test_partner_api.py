"""The partner projects' API through HTTP: the FeatureCollection (apart from contributions,
texts in the asked language, figures only once the ranking is public) and the vote (one per
person, changed not doubled, refused outside the period and outside the mode, hostile input
answered 4xx with a code and a sentence, never a partial write)."""

import datetime
import json

import pytest
from django.contrib.gis.geos import LineString, Point
from django.test import Client
from django.utils import timezone

from contributions.models import PartnerVote, PartnerVoteMode, Project
from contributions.services import (
    add_partner_photo,
    publish_partner_project,
    save_partner_project,
)
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "/api/projects/piter-alpimed/partner-projects/"
NICE = (7.2620, 43.7030)
MENTON = (7.4975, 43.7760)


def set_period(project, *, state="open", mode=PartnerVoteMode.FOR_AGAINST, live=False):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    opens, closes = {
        "open": (now - day, now + day),
        "upcoming": (now + day, now + 2 * day),
        "closed": (now - 2 * day, now - day),
        "not_set": (None, None),
    }[state]
    Project.objects.filter(pk=project.pk).update(
        partner_vote_mode=mode,
        partner_vote_opens_at=opens,
        partner_vote_closes_at=closes,
        partner_ranking_live=live,
    )
    project.refresh_from_db()
    return project


@pytest.fixture
def partner_projects(demo):
    themes = list(demo.themes.all())
    made = []
    for index, (geom, theme) in enumerate(
        [(Point(*NICE, srid=4326), themes[0]), (LineString(NICE, MENTON, srid=4326), themes[1])]
    ):
        item = save_partner_project(
            project=demo,
            title={"fr": f"Projet {index}", "it": f"Progetto {index}"},
            description={"fr": "Une description.", "it": "Una descrizione."},
            location=geom,
            theme=theme,
            cost_band="100k_500k",
            timeline={"fr": "2027-2029"},
            links=[{"url": "https://example.org/doc.pdf", "label": "Dossier"}],
        )
        add_partner_photo(
            partner_project=item,
            upload=factories.upload(factories.jpeg_bytes((64, 48))),
            credit="Comune di Sanremo",
            alt={"fr": "La place", "it": "La piazza"},
        )
        made.append(publish_partner_project(partner_project=item))
    hidden = save_partner_project(
        project=demo, title={"fr": "Brouillon"}, location=Point(*NICE, srid=4326), theme=themes[0]
    )
    return made, hidden


def signed_in(user=None):
    client = Client()
    client.force_login(user or factories.make_user())
    return client


def vote(client, item, body, method="post"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    send = getattr(client, method)
    return send(f"{BASE}{item.pk}/vote/", data=data, content_type="application/json")


def test_the_collection_holds_the_published_ones_apart_in_the_asked_language(
    client, demo, partner_projects
):
    made, hidden = partner_projects
    set_period(demo, state="open")
    response = client.get(BASE, {"lang": "it"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [str(item.pk) for item in made]
    first = body["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": list(NICE)}
    assert body["features"][1]["geometry"]["type"] == "LineString"
    properties = first["properties"]
    assert properties["kind"] == "partner_project" and properties["proposed_by_partners"] is True
    assert properties["title"] == "Progetto 0" and properties["language"] == "it"
    assert properties["timeline"] == "2027-2029"  # only in French: the fallback
    assert properties["cost_band"] == "100k_500k"
    assert properties["links"] == [{"url": "https://example.org/doc.pdf", "label": "Dossier"}]
    assert properties["vote"]["mode"] == "for_against" and properties["vote"]["state"] == "open"
    (photo,) = properties["photos"]
    assert (photo["credit"], photo["alt"], photo["alt_language"]) == (
        "Comune di Sanremo",
        "La piazza",
        "it",
    )
    assert client.get(photo["url"]).status_code == 200
    # The ranking is not live: no figure while the vote is open.
    assert "results" not in properties
    assert client.get(BASE, {"lang": "fr"}).json()["features"][0]["properties"]["title"] == (
        "Projet 0"
    )
    assert str(hidden.pk) not in response.content.decode()


def test_figures_show_once_the_ranking_is_public(client, demo, partner_projects):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    for value in (1, 1, -1):
        assert vote(signed_in(), made[0], {"value": value}).status_code == 201
    set_period(demo, state="open", live=True)
    live = client.get(BASE).json()["features"][0]["properties"]["results"]
    assert (live["votes"], live["votes_for"], live["votes_against"], live["rank"]) == (3, 2, 1, 1)
    set_period(demo, state="closed")
    closed = client.get(BASE).json()
    assert closed["vote"]["ranking_public"] is True
    assert closed["features"][0]["properties"]["results"]["votes"] == 3
    assert closed["features"][1]["properties"]["results"]["votes"] == 0


def test_a_cookie_less_client_cannot_vote_let_alone_twice(demo, partner_projects):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    for _attempt in range(2):
        response = vote(Client(), made[0], {"value": 1})
        assert response.status_code == 401
        assert response.json()["code"] == "sign_in_to_vote"
        assert response.json()["detail"]
    assert PartnerVote.objects.filter(partner_project=made[0]).count() == 0


def test_a_person_votes_once_and_changes_their_vote(demo, partner_projects):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    person = factories.make_user()
    client = signed_in(person)
    commune = demo.perimeter.members.filter(code="06088").get()
    first = vote(client, made[0], {"value": 1, "comment": "Oui", "commune": "06088"})
    assert first.status_code == 201, first.content
    assert first.json()["value"] == 1 and first.json()["changed"] is False
    again = vote(client, made[0], {"value": -1, "comment": "Non, finalement"}, method="put")
    assert again.status_code == 200 and again.json()["changed"] is True
    stored = PartnerVote.objects.get(partner_project=made[0])
    assert (stored.value, stored.comment, stored.commune_id) == (-1, "Non, finalement", commune.pk)
    assert stored.participant == f"user:{person.pk}" and stored.channel == "online"
    assert client.get(f"{BASE}{made[0].pk}/vote/").json()["value"] == -1
    # Another person's vote is theirs.
    assert vote(signed_in(), made[0], {"value": 1}).status_code == 201
    assert PartnerVote.objects.filter(partner_project=made[0]).count() == 2


@pytest.mark.parametrize(
    ("state", "code"),
    [("upcoming", "vote_not_open"), ("closed", "vote_closed"), ("not_set", "vote_not_open")],
)
def test_a_vote_outside_the_period_is_refused_with_a_sentence(demo, partner_projects, state, code):
    made, _hidden = partner_projects
    set_period(demo, state=state)
    response = vote(signed_in(), made[0], {"value": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == code and body["detail"].endswith(".")
    assert not PartnerVote.objects.exists()


def test_a_vote_cannot_be_changed_after_the_close(demo, partner_projects):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    client = signed_in()
    assert vote(client, made[0], {"value": 1}).status_code == 201
    set_period(demo, state="closed")
    response = vote(client, made[0], {"value": -1}, method="put")
    assert (response.status_code, response.json()["code"]) == (409, "vote_closed")
    assert PartnerVote.objects.get().value == 1


@pytest.mark.parametrize(
    ("mode", "good", "bad"),
    [
        (PartnerVoteMode.FOR_AGAINST, [1, -1], [0, 2, 5, -2]),
        (PartnerVoteMode.RATING, [1, 3, 5], [0, -1, 6]),
    ],
)
def test_values_follow_the_mode(demo, partner_projects, mode, good, bad):
    made, _hidden = partner_projects
    set_period(demo, state="open", mode=mode)
    client = signed_in()
    for value in bad:
        response = vote(client, made[0], {"value": value})
        assert response.status_code in (400, 422)
        assert response.json()["code"] == "invalid_vote_value", value
    assert not PartnerVote.objects.exists()
    for value in good:
        assert vote(client, made[0], {"value": value}).status_code in (200, 201)
        assert PartnerVote.objects.get().value == value


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        "null",
        json.dumps({"value": "1; DROP TABLE x"}),
        json.dumps({"value": 10**30}),
        json.dumps({"value": True}),
        json.dumps({"value": 1, "comment": "x" * 100_000}),
        json.dumps({"value": 1, "comment": "a\x00b"}),
        json.dumps({"value": 1, "commune": "../../etc"}),
        json.dumps({"value": 1, "commune": "99999"}),
        json.dumps({"value": 1, "commune": {"code": "06088"}}),
        json.dumps({}),
    ],
)
def test_hostile_input_gets_a_code_and_writes_nothing(demo, partner_projects, body):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    response = vote(signed_in(), made[0], body)
    assert 400 <= response.status_code < 500, response.content
    answer = response.json()
    assert answer["code"] and answer["detail"]
    assert not PartnerVote.objects.exists()


def test_unknown_and_unpublished_projects_are_404(demo, partner_projects):
    _made, hidden = partner_projects
    set_period(demo, state="open")
    client = signed_in()
    for url in (
        f"{BASE}{hidden.pk}/vote/",
        f"{BASE}00000000-0000-0000-0000-000000000000/vote/",
    ):
        response = client.post(url, data=json.dumps({"value": 1}), content_type="application/json")
        assert response.status_code == 404 and response.json()["code"], url
    response = client.get("/api/projects/no-such-project/partner-projects/")
    assert response.status_code == 404 and response.json()["code"]
    assert not PartnerVote.objects.exists()


def test_browser_writes_need_their_csrf_token(demo, partner_projects):
    made, _hidden = partner_projects
    set_period(demo, state="open")
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.make_user())
    response = vote(client, made[0], {"value": 1})
    assert response.status_code == 403
    assert not PartnerVote.objects.exists()


def test_the_schema_documents_both_endpoints(client, demo):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/projects/{slug}/partner-projects/" in paths
    vote_path = paths["/api/projects/{slug}/partner-projects/{id}/vote/"]
    assert {"post", "put", "get"} <= set(vote_path)
