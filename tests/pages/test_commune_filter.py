"""Choosing a commune in the map's filters shows it: the map moves to the commune."""

import pytest

from tests.pages.conftest import open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_choosing_a_commune_moves_the_map_to_it(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug, language="it")
    before = page.evaluate("() => projectMap.map.getZoom()")
    page.locator(".filters-box summary").click()
    page.select_option("#filter-commune", "06136")  # Sospel
    page.wait_for_function(
        "() => { const c = projectMap.map.getCenter();"
        " return Math.abs(c.lng - 7.45) < 0.08 && Math.abs(c.lat - 43.88) < 0.08; }"
    )
    assert page.evaluate("() => projectMap.map.getZoom()") > before
    assert not page.js_errors
