"""The contribution page's forms without JavaScript, the list view and the project list."""

import re
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from django.core import mail

from contributions.models import AbuseReport, Contribution, Follow, Status
from tests import factories

pytestmark = pytest.mark.django_db


def _published(project):
    return Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()


def _page(project, contribution, language="fr"):
    return f"/{language}/p/{project.slug}/c/{contribution.pk}/"


def test_project_list_shows_open_projects(client, demo):
    page = client.get("/fr/").content.decode()
    assert f'href="/fr/p/{demo.slug}/"' in page


def test_the_project_page_hands_its_settings_to_the_map_as_json(client, demo):
    response = client.get(f"/fr/p/{demo.slug}/")
    page = response.content.decode()
    assert '<script id="map-config" type="application/json">' in page
    assert response.cookies.get("csrftoken")  # the map's writes carry the token
    # No tile service unless the operator sets one: the page names no third-party host.
    assert "tile.openstreetmap.org" not in page and "/static/leaflet/leaflet.js" in page


def test_a_page_in_another_language_keeps_it_in_the_address(client, demo):
    contribution = _published(demo)
    page = client.get(_page(demo, contribution, "it")).content.decode()
    assert '<html lang="it">' in page
    assert f'href="/en/p/{demo.slug}/c/{contribution.pk}/"' in page


def test_follow_records_the_email_in_the_reader_language(client, demo, mailed_links):
    contribution = _published(demo)
    form = {"action": "follow", "email": "a@example.org"}
    with mailed_links() as links:
        response = client.post(_page(demo, contribution, "it"), form)
    assert response.status_code == 302
    # Nothing is written for an address until its owner confirms it through the emailed link.
    assert not Follow.objects.filter(contribution=contribution, email="a@example.org").exists()
    [link] = links()
    assert link.startswith("/it/confirm/")
    client.post(link, {"do": "follow"})
    follow = Follow.objects.get(contribution=contribution, email="a@example.org")
    assert follow.language == "it"
    # Twice is still one.
    with mailed_links() as links:
        client.post(_page(demo, contribution, "it"), form)
    client.post(links()[0], {"do": "follow"})
    assert Follow.objects.filter(contribution=contribution, email="a@example.org").count() == 1
    # The link in the emails asks, then stops it.
    assert client.get(f"/it/unfollow/{follow.token}/").status_code == 200
    assert Follow.objects.filter(pk=follow.pk).exists()
    assert client.post(f"/it/unfollow/{follow.token}/").status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()


def test_a_bad_email_is_refused_with_a_sentence_next_to_the_field(client, demo):
    contribution = _published(demo)
    response = client.post(_page(demo, contribution), {"action": "follow", "email": "nope"})
    assert response.status_code == 400
    assert 'id="follow-error"' in response.content.decode()
    assert not Follow.objects.filter(contribution=contribution, email="nope").exists()


def test_reports_of_signed_in_people_past_the_threshold_hide_the_contribution(demo, client_factory):
    contribution = _published(demo)
    Contribution.objects.filter(pk=contribution.pk).update(answered_at=None)
    threshold = demo.report_threshold
    # Anonymous reports raise it for the moderators, never hide it (docs/security.md).
    for _n in range(threshold):
        client_factory().post(_page(demo, contribution), {"action": "report"})
    for n in range(threshold):
        client = client_factory()
        client.force_login(factories.make_user())
        response = client.post(_page(demo, contribution), {"action": "report", "reason": "spam"})
        assert response.status_code == 302, n
        # The same person reporting again counts once.
        client.post(_page(demo, contribution), {"action": "report"})
    contribution.refresh_from_db()
    assert contribution.report_count == 2 * threshold
    assert contribution.status == Status.HIDDEN
    assert AbuseReport.objects.filter(contribution=contribution).count() == 2 * threshold
    assert client_factory().get(_page(demo, contribution)).status_code == 404


def test_hidden_and_unmoderated_contributions_have_no_page(client, demo):
    contribution = _published(demo)
    for status in (Status.SUBMITTED, Status.HIDDEN):
        Contribution.objects.filter(pk=contribution.pk).update(status=status)
        assert client.get(_page(demo, contribution)).status_code == 404
    Contribution.objects.filter(pk=contribution.pk).update(status=Status.PUBLISHED)


def test_the_list_view_filters_like_the_map(client, demo):
    theme = demo.themes.first()
    response = client.get(f"/fr/p/{demo.slug}/list/", {"theme": theme.slug, "kind": "report"})
    expected = Contribution.objects.public().filter(project=demo, theme=theme, kind="report")
    assert response.context["page"].paginator.count == expected.count()
    page = response.content.decode()
    for contribution in expected.order_by("-created_at", "id")[:20]:
        assert str(contribution.pk) in page


def test_the_list_view_survives_hostile_query_values(client, demo):
    response = client.get(
        f"/fr/p/{demo.slug}/list/", {"kind": "<script>", "commune": "x&page=9", "page": "zz"}
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]


@pytest.fixture
def mailed_links(django_capture_on_commit_callbacks):
    """The confirmation links mailed during the block (paths), once its writes commit."""

    @contextmanager
    def capture():
        start = len(mail.outbox)
        found = []
        with django_capture_on_commit_callbacks(execute=True):
            yield lambda: found
        for message in mail.outbox[start:]:
            found += [
                urlparse(url).path for url in re.findall(r"https?://\S+/confirm/\S+/", message.body)
            ]

    return capture


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
