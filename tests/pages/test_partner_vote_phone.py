"""A resident on a 360 px phone, in Italian, votes on two of the partners' projects and changes
one vote, with the keyboard only (Tab to the vote buttons, Enter and Space): the database then
holds exactly two votes, one with the changed value. The partner projects show on the map as
a layer of their own (their symbol, their badge), in the list's own section, and the results
page shows the vote once it closed. Screenshots go to artifacts/screenshots/partner-projects/."""

import datetime
import io

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from contributions.models import PartnerVote, Project
from contributions.services import (
    add_partner_photo,
    publish_partner_project,
    save_partner_project,
    set_outcome,
)
from tests import factories
from tests.a11y.axe import axe_violations
from tests.conftest import ARTIFACTS
from tests.pages.conftest import open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
FOLDER = ARTIFACTS / "screenshots" / "partner-projects"


def shot(page, name, full_page=False):
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"), full_page=full_page)


def picture() -> SimpleUploadedFile:
    image = Image.new("RGB", (960, 600), (120, 170, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 960, 600), fill=(70, 130, 60))
    draw.polygon([(200, 380), (480, 120), (760, 380)], fill=(150, 150, 160))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile("piazza.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def vote_world(live_demo):
    project, base = live_demo
    themes = list(project.themes.all())
    places = [
        Point(7.2620, 43.7030, srid=4326),
        Polygon.from_bbox((7.706, 43.845, 7.714, 43.851)),
    ]
    items = []
    for index, (place, theme) in enumerate(zip(places, themes, strict=False)):
        item = save_partner_project(
            project=project,
            title={"fr": f"Projet des partenaires {index + 1}", "it": f"Progetto {index + 1}"},
            description={
                "fr": "Une place rénovée avec des arbres et des bancs.",
                "it": "Una piazza rinnovata con alberi e panchine.",
            },
            location=place,
            theme=theme,
            cost_band="500k_2m",
            timeline={"fr": "2027-2029", "it": "2027-2029"},
            links=[{"url": "https://example.org/progetto.pdf", "label": "Scheda del progetto"}],
        )
        add_partner_photo(
            partner_project=item,
            upload=picture(),
            credit="Provincia di Imperia",
            alt={"fr": "La place aujourd'hui", "it": "La piazza oggi"},
        )
        items.append(publish_partner_project(partner_project=item))
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(
        partner_vote_opens_at=now - datetime.timedelta(hours=1),
        partner_vote_closes_at=now + datetime.timedelta(days=7),
    )
    resident = factories.make_user("residente")
    client = Client()
    client.force_login(resident)
    return project, base, items, resident, client.cookies["sessionid"].value


def new_page(browser, base, size, session=None):
    phone = size is PHONE
    # axe-core is let in despite the pages' Content Security Policy (checked elsewhere).
    context = browser.new_context(
        viewport=size, is_mobile=phone, has_touch=phone, locale="it-IT", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    return context, page


def tab_to(page, selector, limit=12):
    """Presses Tab until the element matching `selector` has the focus."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def vote_with_keyboard(page, base, project, item, button, key, comment=""):
    page.goto(f"{base}/it/p/{project.slug}/partner-projects/{item.pk}/")
    page.wait_for_selector("#map[data-loaded=true]")
    assert page.locator("html").get_attribute("lang") == "it"
    page.locator("#vote-comment").focus()
    if comment:
        page.keyboard.type(comment)
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_selector("#my-vote")


def test_a_resident_votes_on_two_projects_on_a_phone_and_changes_one(browser, vote_world):
    project, base, items, resident, session = vote_world
    context, page = new_page(browser, base, PHONE, session)
    try:
        first, second = items
        vote_with_keyboard(page, base, project, first, ".vote-for", "Enter", "Ottima idea")
        assert page.locator("#my-vote").get_attribute("data-value") == "1"
        assert page.locator(".messages[role=status]").count() == 1
        assert page.locator(".vote-for").get_attribute("aria-pressed") == "true"
        # The photo with its credit and its alternative text, in Italian.
        image = page.locator(".partner-photos img")
        assert image.get_attribute("alt") == "La piazza oggi"
        assert "Provincia di Imperia" in page.locator(".partner-photos figcaption").inner_text()
        assert page.locator("h1").inner_text() == "Progetto 1"
        shot(page, "vote-phone-form")
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "vote-phone-top")

        vote_with_keyboard(page, base, project, second, ".vote-against", "Space")
        assert page.locator("#my-vote").get_attribute("data-value") == "-1"

        # Back to the first: the vote is changed, not doubled.
        vote_with_keyboard(page, base, project, first, ".vote-against", "Enter")
        assert page.locator("#my-vote").get_attribute("data-value") == "-1"
        assert page.locator("#vote-comment").input_value() == "Ottima idea"
        shot(page, "vote-phone-changed", full_page=True)
        assert axe_violations(page) == []

        votes = PartnerVote.objects.filter(participant=f"user:{resident.pk}")
        assert votes.count() == 2
        assert dict(votes.values_list("partner_project_id", "value")) == {
            first.pk: -1,
            second.pk: -1,
        }
        assert PartnerVote.objects.count() == 2
        assert page.js_errors == []
    finally:
        context.close()


def test_the_map_the_list_and_the_results_show_them_apart(browser, vote_world):
    project, base, items, _resident, session = vote_world
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context, page = new_page(browser, base, size, session)
        try:
            open_map(page, base, project.slug, "it")
            legend = page.locator(".partner-legend")
            legend.wait_for()
            assert page.locator(".partner-marker").count() == 1  # the point; the area is a path
            assert page.locator("path[stroke='#ad1457']").count() == 1
            page.evaluate(
                "() => projectMap.map.eachLayer((l) => { if (l.feature && l.feature.properties"
                " && l.feature.properties.kind === 'partner_project' && l.getPopup"
                " && l.getPopup() && !l.isPopupOpen()) l.openPopup(); })"
            )
            popup = page.locator(".partner-popup").first
            popup.wait_for()
            assert popup.locator(".partner-badge").count() == 1
            page.locator("#map").scroll_into_view_if_needed()
            shot(page, f"map-{label}")
            page.locator("#show-partner-projects").uncheck()
            assert page.locator(".partner-marker").count() == 0

            page.goto(f"{base}/it/p/{project.slug}/list/")
            section = page.locator("#partner-projects")
            assert section.locator("li[data-kind=partner_project]").count() == 2
            assert section.locator(".partner-badge").count() == 2
            section.scroll_into_view_if_needed()
            shot(page, f"list-{label}")
            page.goto(f"{base}/it/p/{project.slug}/partner-projects/{items[1].pk}/")
            page.wait_for_selector("#map[data-loaded=true]")
            page.wait_for_timeout(500)
            assert page.locator("#map path[stroke='#ad1457']").count() == 1
            shot(page, f"page-{label}", full_page=True)
            assert axe_violations(page) == []
            assert page.js_errors == []
        finally:
            context.close()

    # Votes, then the close: the results page shows the ranking and the outcomes.
    voters = [factories.make_user() for _n in range(6)]
    commune = project.perimeter.members.get(code="06088")
    for index, voter in enumerate(voters):
        PartnerVote.objects.create(
            partner_project=items[0],
            project=project,
            participant=f"user:{voter.pk}",
            user=voter,
            value=1 if index < 5 else -1,
            commune=commune,
        )
    set_outcome(
        partner_project=items[0],
        outcome="kept",
        answer={"fr": "Le projet est retenu.", "it": "Il progetto è mantenuto."},
    )
    Project.objects.filter(pk=project.pk).update(
        partner_vote_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context, page = new_page(browser, base, size)
        try:
            page.goto(f"{base}/it/p/{project.slug}/partner-projects/results/")
            assert page.locator(".vote-state").get_attribute("data-state") == "closed"
            rows = page.locator("table.ranking tbody tr")
            assert rows.count() == 2
            assert rows.first.get_attribute("data-id") == str(items[0].pk)
            assert page.locator("#turnout").get_attribute("data-participants") == "6"
            assert page.locator("table.by-commune tr[data-code='06088']").count() == 1
            outcome = page.locator(f".partner-outcomes li[data-id='{items[0].pk}']")
            assert outcome.get_attribute("data-outcome") == "kept"
            assert "Il progetto è mantenuto." in outcome.inner_text()
            shot(page, f"results-{label}", full_page=True)
            assert axe_violations(page) == []
            page.goto(f"{base}/it/p/{project.slug}/partner-projects/{items[1].pk}/")
            assert page.locator("#vote").get_attribute("data-state") == "closed"
            assert page.locator("#vote-form").count() == 0
            assert page.js_errors == []
        finally:
            context.close()
