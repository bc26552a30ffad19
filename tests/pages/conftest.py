import pytest

from contributions.models import Project


@pytest.fixture
def live_demo(live_server, transactional_db):
    """The demo project behind a live server, for the browser tests."""
    from mapping.demo import load_demo

    project = load_demo(count=60)
    return Project.objects.select_related("perimeter").get(pk=project.pk), live_server.url


@pytest.fixture
def map_page(page):
    """The browser page, with basemap tiles refused: the map must work without them."""
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def open_map(page, base, slug, language="fr"):
    page.goto(f"{base}/{language}/p/{slug}/")
    page.wait_for_selector("#map[data-loaded=true]")


def click_map_at(page, lon, lat):
    """Clicks the map where a point is: the browser works out the pixel from the map itself."""
    page.locator("#map").scroll_into_view_if_needed()
    point = page.evaluate(
        "([lat, lon]) => { const p = projectMap.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def fill_form(page, title, description=""):
    page.fill("#field-title", title)
    if description:
        page.fill("#field-description", description)
    page.check("#field-consent")
