"""The resident's map in a real browser (Debian Chromium): place, send, see, vote, comment."""

import pytest
from django.core import mail
from django.test import Client

from contributions.models import Comment, Contribution, Status
from tests import factories
from tests.conftest import screenshot
from tests.pages.conftest import click_map_at, fill_form, open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SANREMO = (7.7760, 43.8170)
AT_SEA = (7.9, 43.75)  # inside the perimeter's bounding box, outside the perimeter
HOSTILE = "<img src=x onerror=alert(1)>"


def submit_and_wait(page):
    page.click("#submit")
    page.wait_for_selector("#form-result .success")


def test_a_pin_dropped_inside_is_stored_and_shown_on_map_and_list(live_demo, map_page):
    project, base = live_demo
    page = map_page
    before = Contribution.objects.count()
    open_map(page, base, project.slug)
    screenshot(page, "map-desktop")
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 16)", list(SANREMO))
    click_map_at(page, *SANREMO)
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    page.check("#kind-report")
    page.select_option("#field-theme", "infrastructure")
    fill_form(page, "Nid-de-poule devant l'école", "Un trou profond au milieu de la chaussée.")
    page.fill("#field-email", "resident@example.org")
    submit_and_wait(page)

    assert Contribution.objects.count() == before + 1
    stored = Contribution.objects.get(title="Nid-de-poule devant l'école")
    assert stored.kind == "report"
    assert stored.commune.name == "Sanremo"
    assert stored.consent_at is not None and stored.terms_version == project.terms_version
    assert stored.language == "fr"
    # The email is the author's to confirm before it is followed (a link is mailed).
    assert not stored.follows.exists()
    assert any(m.to == ["resident@example.org"] and "/confirm/" in m.body for m in mail.outbox)
    assert abs(stored.geom.x - SANREMO[0]) < 0.0001 and abs(stored.geom.y - SANREMO[1]) < 0.0001

    # On the map: zoomed in where it is, its pin carries its title.
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 18)", list(SANREMO))
    page.wait_for_selector('.leaflet-marker-icon[title="Nid-de-poule devant l\'école"]')
    # In the list, with the same filters the map offers.
    page.click("#list-link")
    page.wait_for_selector("#contribution-list")
    assert "Nid-de-poule devant l'école" in page.inner_text("#contribution-list")
    assert not page.js_errors


def test_a_pin_outside_is_refused_on_the_spot_with_the_api_sentence(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    with page.expect_response("**/check-location/**") as answer:
        click_map_at(page, *AT_SEA)
    page.wait_for_selector("#location-error:not(:empty)")
    # The sentence a submission of that very point gets from the API, word for word.
    url = answer.value.url
    lon, lat = (float(part.split("=")[1]) for part in url.split("?")[1].split("&"))
    refusal = Client().post(
        f"/api/projects/{project.slug}/contributions/",
        data={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "proposal", "theme": "infrastructure", "title": "x"},
        },
        content_type="application/geo+json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refusal.status_code == 422
    assert refusal.json()["code"] == "outside_perimeter"
    # The same refusal, said by the page with the distance in its units (m or km).
    assert "PITER ALPIMED" in page.inner_text("#location-error")
    assert page.inner_text("#map-message") == page.inner_text("#location-error")
    assert page.inner_text("#location-status") != ""
    assert page.locator(".new-pin").count() == 0
    # Sending anyway is stopped before it leaves the browser.
    fill_form(page, "Au large")
    before = Contribution.objects.count()
    page.click("#submit")
    page.wait_for_selector("#form-errors:not(:empty)")
    assert Contribution.objects.count() == before


def test_vote_and_comment_on_the_contribution_page(live_demo, map_page):
    project, base = live_demo
    page = map_page
    # A vote is an account's: the resident is signed in.
    client = Client()
    client.force_login(factories.make_user("resident-voter"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    contribution = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    votes = contribution.vote_count
    page.goto(f"{base}/fr/p/{project.slug}/c/{contribution.pk}/")
    page.click("#vote button")
    page.wait_for_selector("#vote input[name=action][value=unvote]", state="attached")
    contribution.refresh_from_db()
    assert contribution.vote_count == votes + 1
    # One click is one vote: reloading and voting again is not possible, only withdrawing.
    page.reload()
    assert page.locator("#vote input[name=action]").get_attribute("value") == "unvote"

    page.fill("#comment-body", "Je confirme, c'est dangereux.")
    page.click("#comment button")
    page.wait_for_selector(".comments li:has-text('Je confirme')")
    assert Comment.objects.filter(
        contribution=contribution, body__startswith="Je confirme"
    ).exists()
    assert not page.js_errors


def test_offline_submission_waits_on_the_device_and_is_stored_once(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    # Sanremo's spot is 260 m from its shore: at the whole territory's zoom a pixel is more.
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 16)", list(SANREMO))
    click_map_at(page, *SANREMO)
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    fill_form(page, "Envoyée hors ligne")
    page.context.set_offline(True)
    page.click("#submit")
    page.wait_for_selector("#outbox:not([hidden])")
    assert "Envoyée hors ligne" in page.inner_text("#outbox")
    assert not Contribution.objects.filter(title="Envoyée hors ligne").exists()

    # Back online: the outbox sends it (twice, to prove a replay is not stored twice).
    page.context.set_offline(False)
    page.evaluate(
        "window.dispatchEvent(new Event('online')); window.dispatchEvent(new Event('online'))"
    )
    page.wait_for_selector("#outbox[hidden]", state="attached")
    page.wait_for_selector("#form-result .success")
    assert Contribution.objects.filter(title="Envoyée hors ligne").count() == 1


def test_a_stored_submission_retried_with_its_key_is_not_stored_twice(live_demo, map_page):
    """The response is lost after the server stored it: the outbox replays, nothing doubles."""
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    # Sanremo's spot is 260 m from its shore: at the whole territory's zoom a pixel is more.
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 16)", list(SANREMO))
    click_map_at(page, *SANREMO)
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    fill_form(page, "Réponse perdue")
    lost = {"count": 0}

    def lose_first_response(route):
        response = route.fetch()
        lost["count"] += 1
        if lost["count"] == 1:
            route.abort("timedout")  # stored on the server, but the browser never hears it
        else:
            route.fulfill(response=response)

    page.route(f"**/api/projects/{project.slug}/contributions/", lose_first_response)
    page.click("#submit")
    page.wait_for_selector("#outbox:not([hidden])")
    assert Contribution.objects.filter(title="Réponse perdue").count() == 1
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox[hidden]", state="attached")
    assert lost["count"] == 2
    assert Contribution.objects.filter(title="Réponse perdue").count() == 1


def test_hostile_title_is_text_in_popup_page_and_list(live_demo, map_page):
    project, base = live_demo
    page = map_page
    client = Client()
    response = client.post(
        f"/api/projects/{project.slug}/contributions/",
        data={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(SANREMO)},
            "properties": {
                "kind": "proposal",
                "theme": "infrastructure",
                "title": HOSTILE,
                "description": HOSTILE,
            },
        },
        content_type="application/geo+json",
    )
    assert response.status_code == 201, response.content
    hostile = Contribution.objects.get(title=HOSTILE)

    open_map(page, base, project.slug)
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 18)", list(SANREMO))
    marker = page.locator(f'.leaflet-marker-icon[title="{HOSTILE}"]')
    marker.wait_for()
    marker.click()
    page.wait_for_selector(".popup a")
    assert page.inner_text(".popup h3") == HOSTILE
    assert page.locator(".popup img").count() == 0

    page.goto(f"{base}/fr/p/{project.slug}/c/{hostile.pk}/")
    assert page.inner_text("h1") == HOSTILE
    assert page.locator("article img[src=x]").count() == 0

    page.goto(f"{base}/fr/p/{project.slug}/list/")
    assert HOSTILE in page.inner_text("#contribution-list")
    assert page.locator("#contribution-list img").count() == 0
    assert page.dialogs == []
    assert not page.js_errors


def test_the_map_page_works_on_a_phone(live_demo, browser):
    project, base = live_demo
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    open_map(page, base, project.slug)
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "map-phone")
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#map").bounding_box()
    assert box["width"] >= 300 and box["height"] >= 250
    # Every control of the form fits the screen (the form goes step by step on a phone).
    steps = (
        ("where", "#place-centre"),
        ("what", "#field-title"),
        ("about", "#field-consent"),
        ("send", "#submit"),
    )
    for step, selector in steps:
        page.evaluate("(s) => projectMap.steps.show(s)", step)
        control = page.locator(selector).bounding_box()
        assert control["x"] >= 0 and control["x"] + control["width"] <= 360, selector
    page.evaluate("projectMap.steps.show('where')")
    # Tapping the map places a pin (zoomed in, where no pin of others is in the way).
    page.evaluate("([lon, lat]) => projectMap.map.setView([lat, lon], 17)", list(SANREMO))
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    point = page.evaluate(
        "([lat, lon]) => { const p = projectMap.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [SANREMO[1], SANREMO[0]],
    )
    page.touchscreen.tap(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    context.close()


def tab_to(page, selector, limit=120):
    """Presses Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_pin_is_placed_and_sent_with_the_keyboard_alone(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    # Find the commune by name, choose it: the pin goes inside it.
    tab_to(page, "#place-search")
    page.keyboard.type("Sanremo")
    page.keyboard.press("Enter")
    page.wait_for_selector("#place-results button")
    tab_to(page, "#place-results button")
    assert page.evaluate("document.activeElement.textContent") == "Sanremo"
    page.keyboard.press("Enter")
    page.wait_for_selector("#location-status:has-text('Sanremo')")
    # Or move the map with the arrow keys and place the pin at its centre.
    page.keyboard.press("Shift+Tab")
    tab_to(page, "#map")
    page.keyboard.press("ArrowLeft")
    tab_to(page, "#place-centre")
    page.keyboard.press("Enter")
    page.wait_for_selector(".new-pin")

    tab_to(page, "#field-title")
    page.keyboard.type("Banc cassé")
    tab_to(page, "#field-consent")
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-result .success")
    assert Contribution.objects.filter(title="Banc cassé").count() == 1


def test_missing_fields_are_announced_and_linked(live_demo, map_page):
    project, base = live_demo
    page = map_page
    open_map(page, base, project.slug)
    page.click("#submit")
    page.wait_for_selector("#form-errors:not(:empty)")
    assert page.locator("#field-title").get_attribute("aria-invalid") == "true"
    assert page.inner_text("#error-title") != ""
    assert page.inner_text("#error-consent") != ""
    assert page.evaluate("document.activeElement.id") == "field-title"
    screenshot(page, "form-errors")
