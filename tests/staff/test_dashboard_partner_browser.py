"""The dashboard's partner projects section in Chromium at a phone's and a desktop's width:
its tables fit (a wide one scrolls in its own box), nothing overlaps, the page never scrolls
sideways, the headings follow the page's outline. Screenshots of the section land in
artifacts/screenshots/partner-projects/."""

import pytest
from django.test import Client

from mapping.demo import load_demo
from staff.models import Role
from tests.conftest import ARTIFACTS
from tests.consistency.partner_seed import seed_partner_vote
from tests.staff.conftest import give_role, make_user
from tests.staff.test_dashboard_layout import overlap

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = ARTIFACTS / "screenshots" / "partner-projects"


@pytest.fixture
def signed_in(live_server, page):
    project = load_demo()
    seed_partner_vote(project)
    analyst = give_role(make_user("analyste"), project, Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return live_server.url, project


@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_partner_section_fits_a_phone_and_a_desktop(signed_in, page, language):
    base, project = signed_in
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/{language}/staff/{project.slug}/dashboard/")
        section = page.locator("section.partner-dashboard")
        section.scroll_into_view_if_needed()
        assert section.locator("h2#partner-title").count() == 1
        assert section.locator("h3").count() == 5  # two cards, three tables
        tables = section.locator("table")
        assert tables.count() == 3
        boxes = [tables.nth(i).bounding_box() for i in range(3)]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert overlap(a, b) < 1, (width, a, b)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (width, scroll, client)
        headers = section.locator("th[scope=col]")
        assert headers.count() >= 15
        figure = section.locator('[data-figure="partner_participants"]').inner_text()
        assert figure.strip() == "15"
        section.screenshot(path=str(SHOTS / f"dashboard-{language}-{width}.png"))
    assert page.js_errors == []
