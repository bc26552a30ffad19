"""The dashboard in Chromium at a phone's, a tablet's and two desktops' widths: no table
overlaps another, the page never scrolls sideways, and the weekly chart has dated, labelled
axes. Screenshots (the first screen and the whole page) land in artifacts/screenshots/."""

import pytest
from django.test import Client

from mapping.demo import load_demo
from staff.models import Role
from tests.conftest import ARTIFACTS, screenshot
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1024, 1280, 1920)


@pytest.fixture
def signed_in(live_server, page):
    project = load_demo()
    manager = give_role(make_user("responsable"), project, Role.MANAGER)
    client = Client()
    client.force_login(manager)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return live_server.url, project


def overlap(a, b):
    """How much two boxes share, in px², 0 when they only touch."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0, width) * max(0, height)


@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_dashboard_fits_every_width(signed_in, page, language):
    base, project = signed_in
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/{language}/staff/{project.slug}/dashboard/")
        # Open the weekly figures too: their table must fit as well.
        page.locator("details summary").first.click()
        tables = page.locator("main table")
        assert tables.count() >= 6
        boxes = [tables.nth(i).bounding_box() for i in range(tables.count())]
        assert all(box and box["width"] > 0 for box in boxes)
        for i, a in enumerate(boxes):
            for j, b in enumerate(boxes[i + 1 :], start=i + 1):
                assert overlap(a, b) < 1, (width, i, j, a, b)
        # Every table stays inside the page's width (a wide one scrolls in its own box).
        view = page.evaluate("document.documentElement.clientWidth")
        for box in boxes:
            assert box["x"] >= 0
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (width, scroll, client)
        assert client == view
        # The chart's dates never write over each other.
        ticks = page.locator(".weekly-chart .x-ticks li:visible")
        assert ticks.count() >= 2
        spots = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
        for i, a in enumerate(spots):
            for b in spots[i + 1 :]:
                assert overlap(a, b) < 1, (width, a, b)
            assert a["x"] >= 0 and a["x"] + a["width"] <= view, (width, a)
        screenshot(page, f"staff-dashboard-{language}-{width}")
        page.screenshot(
            path=str(ARTIFACTS / "screenshots" / f"staff-dashboard-{language}-{width}-full.png"),
            full_page=True,
        )
    assert page.js_errors == []


def test_the_weekly_chart_has_dated_labelled_axes(signed_in, page):
    base, project = signed_in
    page.goto(f"{base}/fr/staff/{project.slug}/dashboard/")
    chart = page.locator(".weekly-chart")
    assert chart.locator(".x-title").inner_text().strip()
    assert chart.locator(".y-title").inner_text().strip()
    ticks = chart.locator(".x-ticks li")
    assert ticks.count() >= 2
    # Dates written the French way (day and month in words or digits), never ISO codes.
    first = ticks.first.inner_text()
    assert any(ch.isdigit() for ch in first) and "-" not in first
    assert chart.locator(".y-ticks li").count() >= 2
    screenshot(page, "staff-dashboard-weekly-chart")
