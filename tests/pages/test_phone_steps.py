"""The contribution form on a phone, in short steps (where, what, about you, send) with the map
one tap away (issue 22); the whole form beside the map on wider screens and without JavaScript.
Screenshots of each step go to artifacts/screenshots/."""

import pytest
from django.contrib.gis.geos import Point

from contributions.models import Contribution
from tests.conftest import screenshot
from tests.pages.conftest import open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SANREMO = (7.7760, 43.8170)
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(live_demo, browser):
    contexts = []

    def opener(language="fr", **options):
        project, base = live_demo
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=f"{language}-FR", **options
        )
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        if options.get("java_script_enabled", True):
            open_map(page, base, project.slug, language)
        else:
            page.goto(f"{base}/{language}/p/{project.slug}/")
        return page

    yield opener
    for context in contexts:
        context.close()


def page_top(page, selector):
    """The element's top in the page (not the viewport), in CSS pixels."""
    return page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )


def the_way_on_is_near_the_map(page, selector):
    """The button that moves on (Next or Send) ends within two screen heights of the map's top."""
    button = page.locator(selector)
    assert button.is_visible(), selector
    bottom = page_top(page, selector) + button.bounding_box()["height"]
    assert bottom - page_top(page, "#map") <= 2 * PHONE["height"], (selector, bottom)


def current_step(page):
    return page.evaluate("document.querySelector('.step.current').dataset.step")


def tap_sanremo(page):
    page.evaluate(
        "([lon, lat]) => new Promise((done) => { projectMap.map.once('moveend', done);"
        " projectMap.map.setView([lat, lon], 17, {animate: false}); })",
        list(SANREMO),
    )
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = projectMap.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [SANREMO[1], SANREMO[0]],
    )
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#location-status:has-text('Sanremo')")


def focused(page):
    return page.evaluate("document.activeElement.id")


@pytest.mark.parametrize("language", ["fr", "it"])
def test_a_resident_places_fills_the_steps_and_sends(phone, live_demo, language):
    project, _ = live_demo
    page = phone(language)
    # Step 1, where: the map and the place controls; the other steps are out of the way.
    assert current_step(page) == "where"
    heading = page.inner_text("#step-heading")
    assert "1" in heading and "4" in heading
    assert not page.locator("#field-title").is_visible()
    assert not page.locator("#submit").is_visible()
    the_way_on_is_near_the_map(page, "#next-where")
    # Next with no place: refused, said next to the place controls and on the map.
    page.click("#next-where")
    assert current_step(page) == "where"
    assert page.inner_text("#location-error") != ""
    assert page.locator("#location-error").is_visible()
    tap_sanremo(page)
    page.wait_for_function("document.getElementById('form-errors').textContent === ''")
    page.locator("#step-where").scroll_into_view_if_needed()
    screenshot(page, f"phone-steps-1-where-{language}")
    page.click("#next-where")

    # Step 2, what: the focus on the step's heading, the place said, the map one tap away.
    assert current_step(page) == "what"
    assert focused(page) == "step-heading"
    assert "2" in page.inner_text("#step-heading")
    assert "Sanremo" in page.inner_text("#step-place")
    the_way_on_is_near_the_map(page, "#next-what")
    page.fill("#field-title", "Banc cassé sur la promenade")
    page.fill("#field-description", "Le dossier est arraché.\nDangereux pour les enfants.")
    page.locator("#kind-report").check()
    screenshot(page, f"phone-steps-2-what-{language}")
    page.click("#next-what")

    # Step 3, about you; Back and forth keeps what was typed.
    assert current_step(page) == "about"
    assert focused(page) == "step-heading"
    the_way_on_is_near_the_map(page, "#next-about")
    page.fill("#field-email", "habitant@example.org")
    page.click("#step-about .step-back")
    assert current_step(page) == "what"
    assert page.input_value("#field-title") == "Banc cassé sur la promenade"
    assert page.input_value("#field-description").startswith("Le dossier est arraché.")
    page.click("#next-what")
    assert page.input_value("#field-email") == "habitant@example.org"
    # Consent is checked before the last step.
    page.click("#next-about")
    assert current_step(page) == "about"
    assert page.locator("#error-consent").is_visible()
    assert page.inner_text("#error-consent") != ""
    assert focused(page) == "field-consent"
    page.check("#field-consent")
    assert page.inner_text("#error-consent") == ""  # answered: the message goes
    screenshot(page, f"phone-steps-3-about-{language}")
    page.click("#next-about")

    # Step 4, send: a summary of what will be sent, and the send button near the map.
    assert current_step(page) == "send"
    summary = page.inner_text("#step-summary")
    assert "Sanremo" in page.inner_text("#step-place")
    assert "Banc cassé sur la promenade" in summary
    assert "habitant@example.org" in summary
    the_way_on_is_near_the_map(page, "#submit")
    page.locator("#submit").scroll_into_view_if_needed()
    screenshot(page, f"phone-steps-4-send-{language}")
    page.click("#submit")
    page.wait_for_selector("#form-result .success")
    saved = Contribution.objects.get(title="Banc cassé sur la promenade")
    assert saved.project_id == project.id
    assert saved.kind == "report"
    assert saved.description.startswith("Le dossier est arraché.")
    assert saved.geom.distance(Point(*SANREMO, srid=4326)) < 1e-4
    # The form starts again at its first step, the thanks in view under the heading.
    assert current_step(page) == "where"
    assert page.locator("#form-result .success").is_visible()
    screenshot(page, f"phone-steps-5-sent-{language}")
    assert not page.js_errors


def test_a_missing_title_is_refused_on_next(phone):
    page = phone("fr")
    tap_sanremo(page)
    page.click("#next-where")
    page.click("#next-what")
    assert current_step(page) == "what"
    assert page.locator("#field-title").get_attribute("aria-invalid") == "true"
    message = page.locator("#error-title")
    assert message.is_visible() and message.inner_text() != ""
    # Announced: the summary in an alert, the field focused and described by its message.
    assert page.get_attribute("#form-errors", "role") == "alert"
    assert page.locator("#form-errors").is_visible()
    assert focused(page) == "field-title"
    assert "error-title" in page.get_attribute("#field-title", "aria-describedby")
    screenshot(page, "phone-steps-missing-title")
    # Fixed, it moves on.
    page.fill("#field-title", "Trottoir")
    page.click("#next-what")
    assert current_step(page) == "about"
    assert page.inner_text("#error-title") == ""


def test_the_map_is_one_tap_away_from_a_later_step(phone):
    page = phone("fr")
    tap_sanremo(page)
    page.click("#next-where")
    page.fill("#field-title", "Lampadaire")
    page.click("#next-what")
    page.click("#change-place")
    assert current_step(page) == "where"
    assert focused(page) == "map"
    box = page.locator("#map").bounding_box()
    assert -1 <= box["y"] < PHONE["height"] / 2
    assert page.input_value("#field-title") == "Lampadaire"
    # Enter in the title field goes on to the next step rather than sending.
    page.click("#next-where")
    page.locator("#field-title").press("Enter")
    assert current_step(page) == "about"
    assert not Contribution.objects.filter(title="Lampadaire").exists()


def test_tab_from_the_skip_link_reaches_the_form_on_a_phone(phone):
    page = phone("fr")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    page.keyboard.press("Enter")
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(focused(page) or page.evaluate("document.activeElement.tagName"))
        if page.evaluate("!!document.activeElement.closest('#contribution-form')"):
            break
    else:
        raise AssertionError(f"the form is not reached in 8 stops: {stops}")


def test_without_javascript_the_whole_form_shows(phone):
    page = phone("fr", java_script_enabled=False)
    for selector in ("#place-search", "#field-title", "#field-email", "#field-consent", "#submit"):
        assert page.locator(selector).is_visible(), selector
    assert not page.locator("#step-heading").count()


def test_wide_screens_keep_the_whole_form_beside_the_map(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    assert page.locator(".stepped").count() == 0
    for selector in ("#place-centre", "#field-title", "#field-email", "#field-consent", "#submit"):
        assert page.locator(selector).is_visible(), selector
    assert not page.locator("#step-heading").is_visible()
    assert not page.locator(".step-nav").first.is_visible()
    map_box = page.locator("#map").bounding_box()
    form_box = page.locator("#contribution-form").bounding_box()
    assert form_box["x"] >= map_box["x"] + map_box["width"]
    screenshot(page, "phone-steps-desktop")
    # Narrowed to a phone's width, the same page goes step by step, keeping what was typed.
    page.fill("#field-title", "Fontaine")
    page.set_viewport_size(PHONE)
    page.wait_for_selector("#step-heading", state="visible")
    assert current_step(page) == "where"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_selector("#step-heading", state="hidden")
    # The wide layout comes back with the next layout pass, not with the resize itself.
    page.wait_for_selector("#submit", state="visible")
    assert page.input_value("#field-title") == "Fontaine"


def test_each_step_has_no_serious_accessibility_violation(phone):
    from tests.a11y.axe import axe_violations

    page = phone("fr", bypass_csp=True)
    tap_sanremo(page)
    filling = {
        "where": lambda: None,
        "what": lambda: page.fill("#field-title", "Lampadaire éteint"),
        "about": lambda: page.check("#field-consent"),
    }
    for step, fill in filling.items():
        assert current_step(page) == step
        assert axe_violations(page) == [], step
        fill()
        page.click(f"#next-{step}")
    assert current_step(page) == "send"
    assert axe_violations(page) == []
