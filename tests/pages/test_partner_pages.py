"""The partner projects' pages without a browser: the vote form as the project's mode says
(buttons or a 1-5 rating), the sentences before the opening and after the close, refusals
shown on the page with their code (never a 500, never a write), the photos served only while
their project is published, and the results page keeping the ranking until it is public."""

import datetime

import pytest
from django.contrib.gis.geos import Point
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


def set_period(project, state, *, mode=PartnerVoteMode.FOR_AGAINST, live=False):
    now, day = timezone.now(), datetime.timedelta(days=1)
    opens, closes = {
        "open": (now - day, now + day),
        "upcoming": (now + day, now + 2 * day),
        "closed": (now - 2 * day, now - day),
    }[state]
    Project.objects.filter(pk=project.pk).update(
        partner_vote_mode=mode,
        partner_vote_opens_at=opens,
        partner_vote_closes_at=closes,
        partner_ranking_live=live,
    )


@pytest.fixture
def item(demo):
    made = save_partner_project(
        project=demo,
        title={"fr": factories.hostile("titre"), "it": "Progetto"},
        description={"fr": factories.hostile("description")},
        location=Point(7.2620, 43.7030, srid=4326),
        theme=demo.themes.first(),
    )
    add_partner_photo(
        partner_project=made,
        upload=factories.upload(factories.jpeg_bytes((64, 48))),
        credit=factories.hostile("credit")[:200],
        alt={"fr": "Une place", "it": "Una piazza"},
    )
    return publish_partner_project(partner_project=made)


def url(item, language="fr"):
    return f"/{language}/p/{item.project.slug}/partner-projects/{item.pk}/"


def signed_in():
    client = Client()
    client.force_login(factories.make_user())
    return client


def test_the_page_escapes_texts_and_serves_its_photos(client, item):
    set_period(item.project, "open")
    response = client.get(url(item))
    assert response.status_code == 200
    html = response.content.decode()
    factories.assert_escaped(html, item.title["fr"], item.description["fr"])
    photo = item.photos.get()
    assert f'/partner-photos/{photo.pk}/thumbnail.jpg"' in html and 'alt="Une place"' in html
    answer = client.get(f"/partner-photos/{photo.pk}/large.jpg")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert client.get(f"/partner-photos/{photo.pk}/huge.jpg").status_code == 404
    # Not signed in: a link to sign in, no form.
    assert 'id="vote-form"' not in html and "/accounts/login/" in html
    publish_partner_project(partner_project=item, published=False)
    assert client.get(url(item)).status_code == 404
    assert client.get(f"/partner-photos/{photo.pk}/large.jpg").status_code == 404


def test_rating_mode_offers_five_choices_and_keeps_the_vote(item):
    set_period(item.project, "open", mode=PartnerVoteMode.RATING)
    client = signed_in()
    html = client.get(url(item, "it")).content.decode()
    assert html.count('name="value" type="radio"') + html.count('type="radio" name="value"') == 5
    response = client.post(url(item, "it"), {"value": "4", "comment": "Bene", "commune": "06088"})
    assert response.status_code == 302 and response["Location"].endswith("#vote")
    vote = PartnerVote.objects.get()
    assert (vote.value, vote.comment, vote.commune.code) == (4, "Bene", "06088")
    page = client.get(url(item, "it")).content.decode()
    assert 'data-value="4"' in page and 'id="vote-rating-4" value="4" required checked' in page
    client.post(url(item, "it"), {"value": "2"})
    assert list(PartnerVote.objects.values_list("value", flat=True)) == [2]


@pytest.mark.parametrize(
    "form",
    [
        {"value": "9"},
        {"value": ""},
        {"value": "1\x00"},
        {"value": "99999999999999999999999"},
        {"value": "1", "commune": "not-a-commune"},
        {"value": "1", "commune": "\x00"},
        {"value": "1", "comment": "x" * 100_000},
        {"value": "1", "comment": "a\x00b"},
    ],
)
def test_refusals_show_on_the_page_and_write_nothing(item, form):
    set_period(item.project, "open")
    response = signed_in().post(url(item), form)
    assert 400 <= response.status_code < 500
    if response["Content-Type"].startswith("application/json"):  # core.input_guard, NUL bytes
        assert response.json()["code"] == "nul_byte"
    else:
        assert 'id="vote-error" role="alert" data-code="' in response.content.decode()
    assert not PartnerVote.objects.exists()


@pytest.mark.parametrize(
    ("state", "code"), [("upcoming", "vote_not_open"), ("closed", "vote_closed")]
)
def test_before_the_opening_and_after_the_close(item, state, code):
    set_period(item.project, state)
    client = signed_in()
    page = client.get(url(item))
    html = page.content.decode()
    assert f'data-state="{state}"' in html and 'class="vote-state"' in html
    assert 'id="vote-form"' not in html
    response = client.post(url(item), {"value": "1"})
    assert response.status_code == 409
    assert f'data-code="{code}"' in response.content.decode()
    assert not PartnerVote.objects.exists()


def test_the_ranking_waits_for_the_close_unless_live(client, item):
    results = f"/fr/p/{item.project.slug}/partner-projects/results/"
    set_period(item.project, "open")
    html = client.get(results).content.decode()
    assert 'class="ranking"' not in html and 'data-state="open"' in html
    set_period(item.project, "open", live=True)
    assert 'class="ranking"' in client.get(results).content.decode()
    set_period(item.project, "closed")
    html = client.get(results).content.decode()
    assert 'class="ranking"' in html and f'data-id="{item.pk}"' in html
    assert client.get("/fr/p/no-such-project/partner-projects/results/").status_code == 404


def test_the_list_page_shows_them_in_their_own_section(client, item):
    html = client.get(f"/it/p/{item.project.slug}/list/").content.decode()
    assert 'id="partner-projects"' in html
    assert html.count('data-kind="partner_project"') == 1
    assert url(item, "it") in html
