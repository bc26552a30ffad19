"""The queue's filters and a confirmed, then undone, merge, in Chromium, as a moderator in
French and in Italian. Screenshots land in artifacts/screenshots/."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.test import Client

from contributions.models import Contribution, Status, Vote
from mapping.demo import load_demo
from staff.models import Action, AuditEntry, Role
from territories.models import Territory
from tests.conftest import screenshot
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
METRE = 1 / 111_320


@pytest.fixture
def signed_in(live_server, page):
    project = load_demo()
    moderator = give_role(make_user("moderatrice"), project, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    commune = (
        Territory.objects.filter(perimeters=project.perimeter)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("name")
        .first()
    )
    return live_server.url, project, commune


def make(project, title, commune, *, dy=0.0, status=Status.SUBMITTED):
    return Contribution.objects.create(
        project=project,
        kind="report",
        theme=project.themes.first(),
        title=title,
        geom=Point(commune.spot.x, commune.spot.y + dy, srid=4326),
        commune=commune,
        status=status,
    )


@pytest.mark.parametrize("language", ["fr", "it"])
def test_filter_the_queue_by_commune_and_search_it(signed_in, page, language):
    base, project, commune = signed_in
    wanted = make(project, "Fontaine ÉCROULÉE près du lavoir", commune)
    make(project, "Fontaine écroulée ailleurs", commune, status=Status.HIDDEN)  # not waiting
    page.goto(f"{base}/{language}/staff/{project.slug}/")
    option = page.locator(f"#filter-commune option[value='{commune.code}']")
    assert "(" in option.inner_text()  # each option with its count
    page.select_option("#filter-commune", commune.code)
    page.fill("#filter-q", "fontaine ecroulee")
    page.locator("#queue-filters button[type=submit]").click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    # The address holds the filters, and only those chosen: a link to share.
    assert query == {"commune": [commune.code], "q": ["fontaine ecroulee"]}
    titles = page.locator(".queue-item .item-title").all_inner_texts()
    assert titles == [wanted.title]
    assert page.locator("#filter-result").is_visible()
    screenshot(page, f"staff-queue-filtered-{language}")
    # The shared link opens the same queue.
    page.goto(page.url)
    assert page.locator(".queue-item .item-title").all_inner_texts() == [wanted.title]
    assert page.locator("#filter-commune").input_value() == commune.code
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["fr", "it"])
def test_confirm_and_undo_a_merge(signed_in, page, language):
    base, project, commune = signed_in
    title = "Nid-de-poule dangereux devant l'école Jules Ferry"
    original = make(project, title, commune, status=Status.PUBLISHED)
    copy = make(
        project,
        "Nid de poule dangereux devant l'école Jules-Ferry",
        commune,
        dy=40 * METRE,
        status=Status.PUBLISHED,
    )
    for participant in ("anon:a", "anon:b"):
        Vote.objects.create(contribution=copy, participant=participant)
    page.goto(f"{base}/{language}/staff/{project.slug}/c/{copy.pk}/")
    page.locator(f"#duplicates form:has(input[value='{original.pk}']) button").click()
    page.wait_for_load_state()
    confirm = page.locator("#confirm")
    assert confirm.is_visible() and "2" in confirm.inner_text()
    screenshot(page, f"staff-merge-confirm-{language}")
    copy.refresh_from_db()
    assert copy.status == Status.PUBLISHED  # nothing happens before the confirmation
    confirm.locator("button.danger").click()
    page.wait_for_load_state()
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.vote_count == 0
    undo = page.locator("#undo")
    assert undo.locator("button.danger").is_visible()
    screenshot(page, f"staff-merge-undo-{language}")
    undo.locator("button.danger").click()
    page.wait_for_load_state()
    copy.refresh_from_db()
    assert copy.status == Status.PUBLISHED and copy.vote_count == 2
    assert AuditEntry.objects.about(copy.pk).first().action == Action.UNDO
    assert page.locator("#undo-refusal").is_visible()  # the undo itself is not undone
    assert page.js_errors == []
