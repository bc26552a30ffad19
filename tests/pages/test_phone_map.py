"""The resident's map on a phone and a desktop (issue 22): nothing vanishes, nothing is lost,
every message in view. Screenshots of each state go to artifacts/screenshots/."""

import re

import pytest
from django.test import Client

from contributions.models import Contribution
from tests.conftest import screenshot
from tests.pages.conftest import fill_form, open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SANREMO = (7.7760, 43.8170)
FAR_INSIDE = (7.7100, 43.8480)  # 6 km west of SANREMO, inside the perimeter
AT_SEA = (7.9, 43.75)
PARIS = (2.3522, 48.8566)
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def open_page(live_demo, browser):
    """A page at a size and in a language, with tiles refused and script errors collected."""
    contexts = []

    def opener(size="phone", language="fr", **options):
        project, base = live_demo
        phone = size == "phone"
        context = browser.new_context(
            viewport=SIZES[size], is_mobile=phone, has_touch=phone, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        open_map(page, base, project.slug, language)
        return page

    yield opener
    for context in contexts:
        context.close()


def map_point(page, lon, lat):
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = projectMap.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    return box["x"] + x, box["y"] + y


def set_view(page, lon, lat, zoom):
    page.evaluate(
        "([lat, lon, z]) => new Promise((done) => { projectMap.map.once('moveend', done);"
        " projectMap.map.setView([lat, lon], z, {animate: false}); })",
        [lat, lon, zoom],
    )


def in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def choose_shape(page, value):
    page.locator(f"#contribution-form input[name=shape][value={value}]").check()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_popup_near_the_top_edge_stays_open(open_page, live_demo, size):
    project, _ = live_demo
    response = Client().post(
        f"/api/projects/{project.slug}/contributions/",
        data={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(SANREMO)},
            "properties": {"kind": "proposal", "theme": "infrastructure", "title": "Au bord"},
        },
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    page = open_page(size)
    set_view(page, *SANREMO, 18)
    # The pin near the map's top edge: opening its popup pans the map (and refreshes it).
    height = page.evaluate("projectMap.map.getSize().y")
    page.evaluate(
        "(d) => new Promise((done) => { projectMap.map.once('moveend', done);"
        " projectMap.map.panBy([0, d], {animate: false}); })",
        height / 2 - 45,
    )
    marker = page.locator('.leaflet-marker-icon[title="Au bord"]')
    marker.wait_for()
    marker.click()
    page.wait_for_selector(".leaflet-popup .popup a")
    page.wait_for_timeout(1000)
    assert page.locator(".leaflet-popup").count() == 1
    assert page.inner_text(".leaflet-popup h3") == "Au bord"
    # A refresh redraws only what changed: the popup is still there.
    page.evaluate("projectMap.refresh()")
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-popup").count() == 1
    screenshot(page, f"phone-map-popup-{size}")
    assert not page.js_errors


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_refused_tap_is_said_in_view_and_keeps_the_pin(open_page, size):
    page = open_page(size)
    set_view(page, *SANREMO, 16)
    page.mouse.click(*map_point(page, *SANREMO)) if size == "desktop" else page.touchscreen.tap(
        *map_point(page, *SANREMO)
    )
    page.wait_for_selector("#map-message:has-text('Sanremo')")
    assert in_viewport(page, "#map-message")
    set_view(page, (SANREMO[0] + AT_SEA[0]) / 2, (SANREMO[1] + AT_SEA[1]) / 2, 10)
    x, y = map_point(page, *AT_SEA)
    page.mouse.click(x, y) if size == "desktop" else page.touchscreen.tap(x, y)
    page.wait_for_selector("#map-message.error")
    assert in_viewport(page, "#map-message")
    assert "PITER ALPIMED" in page.inner_text("#map-message")
    assert page.locator(".new-pin").count() == 1
    assert "Sanremo" in page.inner_text("#location-status")
    screenshot(page, f"phone-map-refused-tap-{size}")


def test_a_queued_item_refused_on_reconnect_comes_back_as_a_draft(open_page):
    page = open_page("phone", "fr")
    set_view(page, *AT_SEA, 11)
    page.context.set_offline(True)
    page.touchscreen.tap(*map_point(page, *AT_SEA))  # offline: accepted for now
    page.wait_for_selector(".new-pin")
    # On a phone the form goes step by step: where, what, about you, send.
    page.click("#next-where")
    page.fill("#field-title", "Bouée cassée")
    page.fill("#field-description", "La bouée au large est cassée depuis l'hiver.")
    page.click("#next-what")
    page.check("#field-consent")
    page.click("#next-about")
    page.click("#submit")
    page.wait_for_selector("#outbox:not([hidden])")
    assert "Bouée cassée" in page.inner_text("#outbox")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#draft-notice:not([hidden])")
    notice = page.inner_text("#draft-notice")
    assert "Bouée cassée" in notice and "PITER ALPIMED" in notice
    assert page.input_value("#field-title") == "Bouée cassée"
    assert page.input_value("#field-description") == "La bouée au large est cassée depuis l'hiver."
    assert page.locator(".new-pin").count() == 1
    # The draft opens on the step holding the problem: its place.
    assert page.evaluate("document.querySelector('.step.current').dataset.step") == "where"
    assert not Contribution.objects.filter(title="Bouée cassée").exists()
    page.locator("#draft-notice").scroll_into_view_if_needed()
    screenshot(page, "phone-map-draft-back")
    # Moved inside and sent again: received, and the draft is gone from the device.
    page.wait_for_timeout(500)  # the map has finished showing the draft's place
    set_view(page, *SANREMO, 16)
    page.touchscreen.tap(*map_point(page, *SANREMO))
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    page.click("#next-where")
    page.click("#next-what")
    page.check("#field-consent")
    page.click("#next-about")
    page.click("#submit")
    page.wait_for_selector("#form-result .success")
    assert Contribution.objects.filter(title="Bouée cassée").count() == 1
    page.wait_for_selector("#outbox[hidden]", state="attached")
    assert page.evaluate("Outbox.all().then((items) => items.length)") == 0


@pytest.mark.parametrize(("language", "decimal"), [("fr", ","), ("it", ","), ("en", ".")])
def test_a_line_over_the_limit_is_refused_while_drawing(open_page, language, decimal):
    page = open_page("desktop", language)
    choose_shape(page, "LineString")
    set_view(page, SANREMO[0], (SANREMO[1] + FAR_INSIDE[1]) / 2, 12)
    page.mouse.click(*map_point(page, *SANREMO))
    page.wait_for_function("document.querySelectorAll('.leaflet-interactive').length > 0")
    page.wait_for_selector("#map-message:not([hidden])")
    # 1.2 km north: the live length, written as the language writes it.
    page.mouse.click(*map_point(page, SANREMO[0], SANREMO[1] + 0.011))
    page.wait_for_selector("#map-message:has-text('km')")
    text = page.inner_text("#map-message")
    assert re.search(rf"1{re.escape(decimal)}2\s*km", text), text
    assert re.search(r"\b5\s*km", text), text  # the limit
    # Over 5 km in all: the step is refused before anything is sent.
    page.mouse.click(*map_point(page, *FAR_INSIDE))
    page.wait_for_selector("#map-message.error")
    text = page.inner_text("#map-message")
    assert re.search(r"\b5\s*km", text) and re.search(r"\b7\s*km", text), text
    assert page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") >= 1
    screenshot(page, f"phone-map-line-limit-{language}")


def test_a_self_crossing_area_gets_a_sentence(open_page):
    page = open_page("desktop", "fr")
    choose_shape(page, "Polygon")
    set_view(page, *SANREMO, 15)
    d = 0.003
    lon, lat = SANREMO[0], SANREMO[1] + 0.004
    for corner in ((lon - d, lat - d), (lon + d, lat + d), (lon + d, lat - d), (lon - d, lat + d)):
        page.mouse.click(*map_point(page, *corner))
        page.wait_for_timeout(400)
    page.wait_for_selector("#map-message.error")
    fill_form(page, "Zone en nœud")
    page.click("#submit")
    page.wait_for_selector("#location-error:not(:empty)")
    text = page.inner_text("#location-error")
    assert "Self-intersection" not in text and "[" not in text
    assert page.locator(".error-mark").count() == 1
    assert not Contribution.objects.filter(title="Zone en nœud").exists()
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "phone-map-self-crossing")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_use_my_location_far_away_keeps_the_map_on_the_perimeter(open_page, live_demo, size):
    project, _ = live_demo
    page = open_page(
        size,
        "fr",
        geolocation={"longitude": PARIS[0], "latitude": PARIS[1]},
        permissions=["geolocation"],
    )
    page.click("#use-location")
    page.wait_for_selector("#map-message.error")
    page.wait_for_timeout(500)
    lon, lat = page.evaluate(
        "(() => { const c = projectMap.map.getCenter(); return [c.lng, c.lat]; })()"
    )
    xmin, ymin, xmax, ymax = project.perimeter.geom.extent
    assert xmin <= lon <= xmax and ymin <= lat <= ymax
    assert re.search(r"\d\s*km", page.inner_text("#map-message"))
    assert in_viewport(page, "#map-message") or size == "phone"
    # Nor can the map be taken there by hand.
    page.evaluate("projectMap.map.setView([48.8566, 2.3522], 12, {animate: false})")
    page.wait_for_timeout(300)
    lat = page.evaluate("projectMap.map.getCenter().lat")
    assert lat < ymax + (ymax - ymin)
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, f"phone-map-far-away-{size}")


def test_clusters_and_controls_speak_the_page_language(open_page):
    page = open_page("desktop", "en")
    page.wait_for_selector(".leaflet-marker-icon.map-item")
    labels = page.eval_on_selector_all(
        ".leaflet-marker-icon.map-item", "(els) => els.map((e) => e.getAttribute('aria-label'))"
    )
    assert any(re.match(r"^[\d,]+ contributions, zoom in to see them$", label) for label in labels)
    # The map is one Tab stop: markers are reached from it with the keyboard.
    assert page.locator("#map .leaflet-marker-icon[tabindex='0']").count() == 0
    page.focus("#map")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('map-item')")
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
        if page.evaluate("document.activeElement.getAttribute('aria-label')") != first:
            break
    else:
        raise AssertionError("the arrow keys do not go from one contribution to another")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "map"


def test_tab_from_the_skip_link_reaches_the_form_in_eight_stops(open_page):
    page = open_page("desktop", "fr")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    page.keyboard.press("Enter")
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if page.evaluate("!!document.activeElement.closest('#contribution-form')"):
            break
    else:
        raise AssertionError(f"the form is not reached in 8 stops: {stops}")
