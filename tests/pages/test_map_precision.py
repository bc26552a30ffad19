"""The resident's map in a real browser says how the pin was placed: by the commune search
alone ("commune"), or by a tap afterwards ("exact")."""

import pytest

from contributions.models import Contribution, LocationPrecision
from tests.pages.conftest import click_map_at, fill_form, open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SANREMO = (7.7760, 43.8170)


def search_commune(page, name):
    page.fill("#place-search", name)
    page.click("#place-search-button")
    # Choosing the commune zooms to it (animated): wait for the end of that move too.
    page.evaluate(
        "() => { window.searchMoved = new Promise(r => projectMap.map.once('moveend', r)); }"
    )
    page.click(f"#place-results button:has-text('{name}')")
    page.wait_for_selector(f"#location-status:has-text('{name}')")
    page.evaluate("() => window.searchMoved")


def send(page, title):
    fill_form(page, title)
    page.click("#submit")
    page.wait_for_selector("#form-result .success")
    return Contribution.objects.get(title=title)


def test_a_pin_left_where_the_search_put_it_is_placed_by_commune(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    search_commune(page, "Sanremo")
    stored = send(page, "Quelque part à Sanremo")
    assert stored.location_precision == LocationPrecision.COMMUNE
    assert stored.commune.name == "Sanremo"
    assert not page.js_errors


def test_a_tap_after_the_search_makes_it_exact(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    search_commune(page, "Sanremo")
    page.evaluate(
        "([lon, lat]) => projectMap.map.setView([lat, lon], 16, { animate: false })",
        list(SANREMO),
    )
    with page.expect_response("**/check-location/**"):
        click_map_at(page, *SANREMO)
    stored = send(page, "Ici exactement")
    assert stored.location_precision == LocationPrecision.EXACT
    assert abs(stored.geom.x - SANREMO[0]) < 0.0001 and abs(stored.geom.y - SANREMO[1]) < 0.0001
