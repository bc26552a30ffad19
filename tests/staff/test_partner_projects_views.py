"""The workspace's partner project pages through the test client: managers write (projects,
photos, outcome, the vote period with its coverage warning), analysts and moderators read
and never write, people without a role get 404; bad input gets a 422 naming the field,
never a 500."""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contributions.models import PartnerProject, PartnerVote, Result
from contributions.services import partner_projects as services
from staff.models import Action, AuditEntry, Role
from tests import factories
from tests.staff.conftest import give_role, make_user

pytestmark = pytest.mark.django_db

NICE_POINT = json.dumps({"type": "Point", "coordinates": [7.2620, 43.7030]})


@pytest.fixture
def manager_client(demo):
    user = give_role(make_user("partner-manager"), demo, Role.MANAGER)
    client = Client()
    client.force_login(user)
    return client


def client_for(demo, role):
    user = give_role(make_user(f"partner-{role}"), demo, role)
    client = Client()
    client.force_login(user)
    return client


def form_data(demo, **extra):
    theme = demo.themes.first()
    return {
        "title_fr": "Navette des vallées",
        "title_it": "Navetta delle valli",
        "description_fr": "Une navette",
        "description_it": "Una navetta",
        "timeline_fr": "2027-2029",
        "timeline_it": "2027-2029",
        "place": NICE_POINT,
        "theme": str(theme.pk),
        "cost_band": "100k_500k",
        "links": "https://example.org/etude.pdf Étude de faisabilité",
        "published": "on",
        **extra,
    }


def url(name, demo, *args):
    return reverse(f"staff:{name}", args=[demo.slug, *args])


def test_a_manager_creates_a_project_adds_a_photo_and_an_outcome(demo, manager_client):
    response = manager_client.post(url("partner-project-new", demo), form_data(demo))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = PartnerProject.objects.get()
    assert item.title == {"fr": "Navette des vallées", "it": "Navetta delle valli"}
    assert item.published and item.links[0]["label"] == "Étude de faisabilité"
    page = manager_client.get(url("partner-project", demo, item.pk))
    assert page.status_code == 200 and b'id="partner-photo-form"' in page.content
    photo = factories.upload()
    response = manager_client.post(
        url("partner-project-photo", demo, item.pk),
        {"photo": photo, "credit": "Comune", "alt_fr": "Un car", "alt_it": "Un pullman"},
    )
    assert response.status_code == 302
    stored = item.photos.get()
    assert stored.alt == {"fr": "Un car", "it": "Un pullman"}
    image = manager_client.get(url("partner-photo-file", demo, stored.pk))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    result = Result.objects.create(project=demo, title={"fr": "Fait"})
    response = manager_client.post(
        url("partner-project-outcome", demo, item.pk),
        {"outcome": "kept", "outcome_fr": "Gardé", "outcome_it": "Tenuto", "result": result.pk},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == "kept" and item.result == result
    listing = manager_client.get(url("partner-projects", demo))
    assert listing.status_code == 200 and str(item.pk).encode() in listing.content


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"place": json.dumps({"type": "Point", "coordinates": [2.35, 48.85]})}, "place"),
        ({"place": "{not json"}, "place"),
        ({"place": ""}, "place"),
        ({"title_fr": ""}, "title_fr"),
        ({"links": "javascript:alert(1) x"}, "links"),
        ({"theme": "999999"}, "theme"),
        ({"title_fr": "x" * 1000}, "title_fr"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(demo, manager_client, extra, field):
    response = manager_client.post(url("partner-project-new", demo), form_data(demo, **extra))
    assert response.status_code == 422
    assert f'id="id_{field}_error"'.encode() in response.content or field == "place"
    assert not PartnerProject.objects.exists()


def test_opening_the_vote_warns_and_needs_the_confirmation(demo, manager_client):
    manager_client.post(url("partner-project-new", demo), form_data(demo))
    page = manager_client.get(url("partner-vote", demo))
    assert page.status_code == 200 and b'id="coverage-warning"' in page.content
    now = timezone.localtime()
    period = {
        "opens_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "for_against",
    }
    response = manager_client.post(url("partner-vote", demo), period)
    assert response.status_code == 422 and b'data-code="coverage_gaps"' in response.content
    demo.refresh_from_db()
    assert demo.partner_vote_state() == "not_set"
    response = manager_client.post(url("partner-vote", demo), {**period, "confirm_gaps": "on"})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.partner_vote_is_open()
    coverage = manager_client.get(url("partner-coverage", demo))
    assert coverage.status_code == 200 and b'id="coverage-data"' in coverage.content
    response = manager_client.post(url("partner-vote-close", demo))
    demo.refresh_from_db()
    assert response.status_code == 302 and demo.partner_vote_state() == "closed"
    # The audit log holds the opening (with the gaps confirmed) and the close, not the refusal.
    periods = AuditEntry.objects.filter(project=demo, action=Action.VOTE_PERIOD)
    assert [e.details.get("gaps_confirmed", "closed") for e in periods.order_by("id")] == [
        True,
        "closed",
    ]
    assert AuditEntry.objects.filter(project=demo, action=Action.PARTNER).count() == 1


def test_ballots_are_entered_by_moderators(demo):
    item = services.save_partner_project(
        project=demo,
        title={"fr": "A"},
        location=Point(7.262, 43.703, srid=4326),
        theme=demo.themes.first(),
        published=True,
    )
    now = timezone.now()
    services.open_partner_vote(
        project=demo,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=5),
        confirm_gaps=True,
    )
    client = client_for(demo, Role.MODERATOR)
    page = client.get(url("partner-votes", demo))
    assert page.status_code == 200
    response = client.post(url("partner-votes", demo), {"channel": "paper"})
    assert response.status_code == 422 and not PartnerVote.objects.exists()
    response = client.post(
        url("partner-votes", demo), {"channel": "paper", f"vote_{item.pk}": "-1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?channel=paper")
    vote = PartnerVote.objects.get()
    assert (vote.value, vote.channel, vote.participant[:7]) == (-1, "paper", "ballot:")
    response = client.post(
        url("partner-votes", demo), {"channel": "online", f"vote_{item.pk}": "1"}
    )
    assert response.status_code == 422 and PartnerVote.objects.count() == 1
    entry = AuditEntry.objects.get(project=demo, action=Action.RECORD)
    assert entry.details == {"votes": {str(item.pk): "-1"}, "channel": "paper"}


@pytest.mark.parametrize("role", [Role.ANALYST, Role.MODERATOR])
def test_analysts_and_moderators_read_but_cannot_write(demo, role):
    item = services.save_partner_project(
        project=demo,
        title={"fr": "A"},
        location=Point(7.262, 43.703, srid=4326),
        theme=demo.themes.first(),
    )
    client = client_for(demo, role)
    assert client.get(url("partner-projects", demo)).status_code == 200
    assert client.get(url("partner-coverage", demo)).status_code == 200
    for name, args in (
        ("partner-project-new", ()),
        ("partner-project", (item.pk,)),
        ("partner-project-outcome", (item.pk,)),
        ("partner-project-photo", (item.pk,)),
        ("partner-vote", ()),
        ("partner-vote-close", ()),
    ):
        assert client.post(url(name, demo, *args), form_data(demo)).status_code == 404
    assert PartnerProject.objects.get().title == {"fr": "A"}
    assert PartnerProject.objects.count() == 1


def test_people_without_a_role_get_404(demo):
    client = Client()
    client.force_login(make_user("nobody-partner"))
    assert client.get(url("partner-projects", demo)).status_code == 404
    anonymous = Client().get(url("partner-projects", demo))
    assert anonymous.status_code == 302


def test_withdrawing_a_project_with_votes_while_open_writes_nothing(demo, manager_client):
    manager_client.post(url("partner-project-new", demo), form_data(demo))
    item = PartnerProject.objects.get()
    now = timezone.now()
    services.open_partner_vote(
        project=demo,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=5),
        confirm_gaps=True,
    )
    item.refresh_from_db()
    services.cast_partner_vote(partner_project=item, participant="user:1", value=1)
    data = form_data(demo, title_fr="Nouveau titre")
    del data["published"]
    response = manager_client.post(url("partner-project", demo, item.pk), data)
    assert response.status_code == 422 and b'data-code="has_votes"' in response.content
    item.refresh_from_db()
    assert item.published and item.title["fr"] == "Navette des vallées"


def test_an_analyst_sees_no_writing_action(demo):
    client = client_for(demo, Role.ANALYST)
    page = client.get(url("partner-projects", demo)).content.decode()
    assert url("partner-project-new", demo) not in page
    assert url("partner-vote", demo) not in page


def test_a_kept_proposal_starts_a_partner_project(demo, manager_client):
    theme = demo.themes.order_by("position").last()
    proposal = factories.make_contribution(
        demo, title="Une navette le dimanche", language="fr", theme=theme
    )
    page = manager_client.get(
        url("partner-project-new", demo), {"from_contribution": str(proposal.pk)}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Une navette le dimanche" in html
    assert re.search(rf'name="theme" value="{theme.pk}" id="id_theme_\d" required checked', html)
    assert "7.262" in html  # the proposal's place, in the map field
    missing = manager_client.get(
        url("partner-project-new", demo), {"from_contribution": "not-a-uuid"}
    )
    assert missing.status_code == 404
