"""The map's place search finds a commune by the name a resident uses in their language, and
says which commune it is under its official name."""

import pytest

from tests.pages.conftest import open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.parametrize(
    ("language", "typed", "shown", "official"),
    [
        ("it", "Nizza", "Nice (Nizza)", "Nice"),
        ("fr", "Vintimille", "Ventimiglia (Vintimille)", "Ventimiglia"),
        ("fr", "La Brigue", "La Brigue", "La Brigue"),
        ("fr", "Coni", "Cuneo (Coni)", "Cuneo"),
    ],
)
def test_a_commune_is_found_by_its_name_in_the_readers_language(
    live_demo, map_page, language, typed, shown, official
):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug, language=language)
    page.fill("#place-search", typed)
    page.click("#place-search-button")
    button = page.locator("#place-results button").first
    button.wait_for()
    assert button.inner_text() == shown
    button.click()
    page.wait_for_selector(f"#location-status:has-text('{official}')")
    assert not page.js_errors
