"""A resident follows a commune from the map page, in French, on a phone-sized screen:
the link opens the "Follow a place" page, the form asks for a commune, a frequency and an
address, the emailed link confirms, and the page then says "You follow Tende" (in French once
translated) with a button that stops it."""

import re

import pytest
from django.core import mail
from django.utils import translation

from contributions.models import PlaceFollow
from tests.conftest import screenshot
from tests.pages.conftest import open_map

LINK = re.compile(r"https?://\S+/follow-place/confirm/\S+/")


def french(msgid, **values):
    with translation.override("fr"):
        return translation.gettext(msgid) % values


@pytest.mark.parametrize("width", [1280, 360])
def test_follow_a_commune_from_the_map_confirm_and_stop(live_demo, map_page, settings, width):
    project, base = live_demo
    settings.SITE_URL = base
    page = map_page
    page.set_viewport_size({"width": width, "height": 800})
    mail.outbox.clear()

    open_map(page, base, project.slug)
    page.locator("#follow-place-link").click()
    page.wait_for_selector("#follow-place-form")
    # The map's centre came along: a circle around it is offered beside the commune.
    assert "lon=" in page.url and page.locator("#place-circle").is_enabled()

    # The keyboard reaches every field; the commune list is found by typing.
    page.locator("#place-commune").check()
    page.locator("#field-commune").select_option(label="Tende")
    page.locator("#frequency-daily").check()
    page.locator("#field-email").fill("habitante@example.org")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"follow-place-form-{width}")
    page.locator("#follow-place-form button[type=submit]").press("Enter")
    page.wait_for_selector("[role=status]")
    follow = PlaceFollow.objects.get(email="habitante@example.org")
    assert follow.confirmed_at is None and follow.label == "Tende"

    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "fr"
    link = LINK.search(message.body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit], #content form button[type=submit]").first.click()
    heading = page.locator("h1[role=status]")
    assert heading.inner_text().strip() == french("You follow %(place)s", place="Tende")
    screenshot(page, f"follow-place-done-{width}")
    follow.refresh_from_db()
    assert follow.confirmed_at is not None

    page.get_by_role("button", name=french("Stop following")).click()
    page.wait_for_selector("h1[role=status]")
    assert page.locator("h1").inner_text().strip() == french("You no longer follow this place")
    assert not PlaceFollow.objects.filter(pk=follow.pk).exists()
    assert page.js_errors == []
