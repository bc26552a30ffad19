"""Answering a map questionnaire on a 360 px phone, in Italian (issue 27): one question per
screen with its progress, conditions applied live, points and lines on the map, the draft kept
on the device through a lost network and a closed tab, and the answers sent once, whatever
the network does when they leave. Screenshots go to artifacts/screenshots/questionnaires/."""

import json
import re

import pytest

from questionnaires.models import Response
from tests.a11y.axe import axe_violations, boxes_apart_from_their_labels
from tests.conftest import ARTIFACTS
from tests.pages.questionnaire_data import AT_SEA, SANREMO, mobility_questionnaire

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
SHOTS = ARTIFACTS / "screenshots" / "questionnaires"


@pytest.fixture
def answering(live_demo, browser):
    """The questionnaire of the demo project, and a way to open it in a phone's browser."""
    project, base = live_demo
    questionnaire = mobility_questionnaire(project)
    contexts = []

    def context_for(language="it"):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=f"{language}-IT"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    def opener(context, language="it"):
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        page.goto(f"{base}/{language}/p/{project.slug}/q/{questionnaire.slug}/")
        page.wait_for_selector("#questionnaire-form[data-ready=true]")
        return page

    yield questionnaire, context_for, opener
    for context in contexts:
        context.close()


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def shown_questions(page):
    return page.evaluate(
        "Array.from(document.querySelectorAll('.question')).filter((q) => !q.hidden)"
        ".map((q) => q.dataset.code)"
    )


def progress(page):
    bar = page.locator("#q-progress-bar")
    return int(bar.get_attribute("aria-valuenow")), int(bar.get_attribute("aria-valuemax"))


def move_map(page, code, lonlat, zoom=15):
    page.evaluate(
        "([code, lon, lat, zoom]) => new Promise((done) => {"
        " const map = questionnairePage.blocks[code].widget.map;"
        " map.once('moveend', done); map.setView([lat, lon], zoom, {animate: false}); })",
        [code, *lonlat, zoom],
    )


def tap_map(page, code, lonlat):
    """Taps the question's map where a place is: the pixel worked out from the map itself."""
    selector = f"#q-{code}-map"
    page.locator(selector).scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([code, lon, lat]) => { const p = questionnairePage.blocks[code].widget.map"
        ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [code, *lonlat],
    )
    box = page.locator(selector).bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)


def digitless(text):
    return re.sub(r"[\d.,\s\u202f]+", " ", text)


def draft_of(page):
    return page.evaluate(
        "() => { const key = Object.keys(localStorage).find((k) => k.startsWith('questionnaire:'));"
        " return key ? JSON.parse(localStorage.getItem(key)) : null; }"
    )


def responses_url(questionnaire):
    project = questionnaire.project.slug
    return f"**/api/projects/{project}/questionnaires/{questionnaire.slug}/responses/"


def test_a_resident_answers_offline_closes_the_tab_comes_back_and_sends_once(answering):
    questionnaire, context_for, opener = answering
    context = context_for("it")
    page = opener(context)
    assert page.get_attribute("html", "lang") == "it"
    # One question per screen, with its progress said and shown.
    assert shown_questions(page) == ["bus"]
    assert progress(page) == (1, 7)
    assert page.get_attribute("#q-progress-bar", "role") == "progressbar"
    assert page.locator("#q-back").is_hidden()
    shot(page, "phone-1-choice-it")
    # Next with no answer to a required question: the message next to it, focused.
    page.click("#q-next")
    assert shown_questions(page) == ["bus"]
    assert page.inner_text("#q-bus-error") != ""
    assert page.evaluate("document.activeElement.id") == "q-bus-error"
    # "Never" brings in the question asked only then: one more in the count.
    page.check("#q-bus-choice-2")
    assert page.inner_text("#q-bus-error") == ""
    assert progress(page) == (1, 8)
    page.click("#q-next")
    assert shown_questions(page) == ["why"]
    assert page.evaluate("document.activeElement.id") == "q-why-text"
    page.check("#q-why-choice-0")
    page.click("#q-next")
    assert shown_questions(page) == ["satisfaction"]
    page.check("#q-satisfaction-choice-3")  # 4 on 1 to 5
    shot(page, "phone-2-scale-it")
    page.click("#q-next")

    # The network goes, mid-way: the answers keep being saved on the device.
    context.set_offline(True)
    assert shown_questions(page) == ["age"]
    page.fill("#q-age-field", "42")
    page.click("#q-next")
    page.fill("#q-remarks-field", "Marciapiedi stretti in via Roma.")
    draft = draft_of(page)
    assert draft["answers"]["age"] == "42"
    assert draft["answers"]["remarks"] == "Marciapiedi stretti in via Roma."
    key = draft["clientKey"]
    page.close()  # the tab is closed

    # Back later (the page loads from the network once): the draft is restored where it was.
    context.set_offline(False)
    page = opener(context)
    assert page.locator("#q-restored").is_visible()
    assert shown_questions(page) == ["remarks"]
    assert page.input_value("#q-remarks-field") == "Marciapiedi stretti in via Roma."
    assert progress(page) == (5, 8)
    page.click("#q-back")
    assert page.input_value("#q-age-field") == "42"
    page.click("#q-next")
    page.click("#q-next")

    # A point: a tap at sea is refused with the server's own sentence, next to the question.
    assert shown_questions(page) == ["unsafe"]
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    move_map(page, "unsafe", AT_SEA, 13)
    tap_map(page, "unsafe", AT_SEA)
    expected = page.evaluate(
        "(url) => fetch(url, {headers: {'Accept-Language': 'it'}}).then((r) => r.json())",
        f"/api/projects/{questionnaire.project.slug}/check-location/?lon={AT_SEA[0]:.6f}&lat={AT_SEA[1]:.6f}",
    )
    assert expected["code"] == "outside_perimeter"
    page.wait_for_function("() => document.getElementById('q-unsafe-error').textContent !== ''")
    # The same sentence (the tap's pixel moves the distance by a few metres).
    assert digitless(page.inner_text("#q-unsafe-error")) == digitless(expected["detail"])
    assert page.locator("#q-unsafe-answers li").count() == 0
    shot(page, "phone-3-outside-it")
    move_map(page, "unsafe", SANREMO, 16)
    tap_map(page, "unsafe", SANREMO)
    page.wait_for_selector("#q-unsafe-answers li")
    assert page.inner_text("#q-unsafe-error") == ""
    page.fill("#q-unsafe-comment-0", "Incrocio senza strisce")
    shot(page, "phone-4-point-it")
    page.click("#q-next")

    # A line, point by point at the centre of the map (the keyboard's way), then finished.
    assert shown_questions(page) == ["route"]
    page.wait_for_selector("#q-route-map[data-ready=true]")
    move_map(page, "route", SANREMO, 15)
    page.click("#q-route-centre")
    page.wait_for_function("() => document.getElementById('q-route-status').textContent !== ''")
    move_map(page, "route", (SANREMO[0] + 0.004, SANREMO[1] + 0.002), 15)
    page.click("#q-route-centre")
    page.wait_for_selector("#q-route-finish:not([hidden])")
    page.click("#q-route-finish")
    page.wait_for_selector("#q-route-answers li")
    shot(page, "phone-5-line-it")
    page.click("#q-next")
    assert shown_questions(page) == ["protect"]  # optional, left empty
    assert progress(page) == (8, 8)
    assert page.locator("#q-next").is_hidden() and page.locator("#q-send").is_visible()

    # Sent with no network: kept, and nothing stored yet.
    context.set_offline(True)
    page.click("#q-send")
    page.wait_for_function("() => document.getElementById('q-status').textContent !== ''")
    assert Response.objects.count() == 0
    # The network returns, but the server's answer is lost on the way back: stored once, and
    # the page, which heard nothing, sends again with the same key.
    lost = []

    def lose_the_answer(route):
        if lost:
            route.continue_()
            return
        route.fetch()
        lost.append(route.request.post_data)
        route.abort()

    page.route(responses_url(questionnaire), lose_the_answer)
    context.set_offline(False)
    page.wait_for_function("() => navigator.onLine")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for _attempt in range(20):
        if lost:
            break
        page.wait_for_timeout(250)
    assert lost and Response.objects.count() == 1
    assert page.locator("#q-thanks").is_hidden()
    page.evaluate("questionnairePage.flush()")
    page.wait_for_selector("#q-thanks:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "q-thanks"
    shot(page, "phone-6-thanks-it")

    # Exactly one response, with the answers given; the draft is gone from the device.
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert response.client_key == key and json.loads(lost[0])["client_key"] == key
    assert response.language == "it" and response.channel == "online"
    values = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert values == {
        "bus": "never",
        "why": ["slow"],
        "satisfaction": 4,
        "age": 42,
        "remarks": "Marciapiedi stretti in via Roma.",
    }
    drawn = {m.question.code: m for m in response.map_answers.select_related("question")}
    assert set(drawn) == {"unsafe", "route"}
    assert drawn["unsafe"].geometry.geom_type == "Point"
    assert drawn["unsafe"].comment == "Incrocio senza strisce"
    assert abs(drawn["unsafe"].geometry.x - SANREMO[0]) < 1e-4
    assert drawn["route"].geometry.geom_type == "LineString"
    assert len(drawn["route"].geometry.coords) == 2
    assert draft_of(page) is None
    assert not page.js_errors


def with_draft(page, answers, at):
    """The page again, with a draft left on the device at the question `at`."""
    page.evaluate(
        "([answers, at]) => { const key = JSON.parse(document.getElementById("
        "'questionnaire-config').textContent).draftKey; localStorage.setItem(key, JSON.stringify("
        "{clientKey: crypto.randomUUID(), answers, at})); }",
        [answers, at],
    )
    page.reload()
    page.wait_for_selector("#questionnaire-form[data-ready=true]")


def focused(page):
    return page.evaluate("document.activeElement.id")


def tab_to(page, element_id, limit=40):
    for _press in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_an_answer_outside_the_perimeter_is_refused_next_to_its_question(answering):
    questionnaire, context_for, opener = answering
    page = opener(context_for("it"))
    at_sea = {"geometry": {"type": "Point", "coordinates": list(AT_SEA)}, "comment": ""}
    with_draft(page, {"bus": "daily", "unsafe": [at_sea]}, "protect")
    assert shown_questions(page) == ["protect"]
    page.click("#q-send")
    # The server's refusal: its sentence next to the question, which is shown and focused.
    page.wait_for_function("() => document.getElementById('q-unsafe-error').textContent !== ''")
    assert shown_questions(page) == ["unsafe"]
    assert focused(page) == "q-unsafe-error"
    sentence = page.inner_text("#q-unsafe-error")
    assert "PITER ALPIMED" in sentence
    assert page.get_attribute("#q-unsafe-field", "aria-invalid") == "true"
    assert page.locator("#q-errors").inner_text() != ""
    assert Response.objects.count() == 0
    shot(page, "phone-refused-by-the-server-it")
    # Moved inside the perimeter, it is accepted.
    page.click("#q-unsafe-remove-0")
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    move_map(page, "unsafe", SANREMO, 16)
    page.click("#q-unsafe-centre")
    page.wait_for_selector("#q-unsafe-answers li")
    page.click("#q-next")
    page.click("#q-next")
    page.click("#q-send")
    page.wait_for_selector("#q-thanks:not([hidden])")
    placed = Response.objects.get().map_answers.get().geometry
    assert abs(placed.x - SANREMO[0]) < 0.01 and abs(placed.y - SANREMO[1]) < 0.01
    assert not page.js_errors


def test_a_map_question_answered_with_the_keyboard_only(answering):
    questionnaire, context_for, opener = answering
    page = opener(context_for("it"))
    with_draft(page, {"bus": "daily"}, "unsafe")
    assert shown_questions(page) == ["unsafe"]
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    # The skip link first, then the map is one Tab stop, with a visible focus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    tab_to(page, "q-unsafe-map")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in (
        "none",
        "",
    )
    # Described by how its keys work (and by the basemap's notes).
    assert "q-unsafe-keys" in page.get_attribute("#q-unsafe-map", "aria-describedby").split()
    centre = "questionnairePage.blocks.unsafe.widget.map.getCenter()"
    before = page.evaluate(f"(() => {{ const c = {centre}; return [c.lng, c.lat]; }})()")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Equal")  # "+" zooms in
    page.wait_for_timeout(400)
    after = page.evaluate(f"(() => {{ const c = {centre}; return [c.lng, c.lat]; }})()")
    assert after != before
    # The next stop places a point where the cross is: said on the map, listed under it.
    tab_to(page, "q-unsafe-centre", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#q-unsafe-answers li")
    assert page.get_attribute("#q-unsafe-message", "role") == "status"
    assert page.inner_text("#q-unsafe-message") != ""
    tab_to(page, "q-unsafe-comment-0", limit=5)
    page.keyboard.type("Attraversamento pericoloso")
    tab_to(page, "q-unsafe-remove-0", limit=3)
    tab_to(page, "q-next", limit=5)
    shot(page, "phone-keyboard-it")
    page.keyboard.press("Enter")
    assert shown_questions(page) == ["route"]
    assert focused(page) == "q-route-text"
    draft = draft_of(page)
    assert draft["answers"]["unsafe"][0]["comment"] == "Attraversamento pericoloso"
    assert not page.js_errors


@pytest.mark.parametrize("language", ["fr", "it"])
def test_screens_for_a_person_to_look_at(answering, browser, live_demo, language):
    """Each kind of screen at 360 px, and a page of questions on a wide screen."""
    questionnaire, context_for, opener = answering
    page = opener(context_for(language), language)
    shot(page, f"360-1-choice-{language}")
    page.check("#q-bus-choice-2")
    page.click("#q-next")
    page.check("#q-why-choice-1")
    shot(page, f"360-2-condition-{language}")
    page.click("#q-next")
    page.check("#q-satisfaction-choice-0")
    shot(page, f"360-3-scale-{language}")
    page.click("#q-next")
    page.fill("#q-age-field", "300")
    page.click("#q-next")
    assert shown_questions(page) == ["age"]
    shot(page, f"360-4-number-refused-{language}")
    page.fill("#q-age-field", "67")
    page.click("#q-next")
    page.click("#q-next")
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    move_map(page, "unsafe", SANREMO, 14)
    page.click("#q-unsafe-centre")
    move_map(page, "unsafe", (SANREMO[0] + 0.01, SANREMO[1] + 0.005), 14)
    page.click("#q-unsafe-centre")
    page.wait_for_selector("#q-unsafe-comment-1")
    page.locator("#q-unsafe-text").scroll_into_view_if_needed()
    shot(page, f"360-5-points-{language}")
    page.click("#q-next")
    page.wait_for_selector("#q-route-map[data-ready=true]")
    move_map(page, "route", SANREMO, 14)
    page.click("#q-route-centre")
    move_map(page, "route", (SANREMO[0] + 0.01, SANREMO[1] + 0.005), 14)
    page.click("#q-route-centre")
    page.wait_for_selector("#q-route-finish:not([hidden])")
    page.locator("#q-route-text").scroll_into_view_if_needed()
    shot(page, f"360-6-line-drawing-{language}")
    page.click("#q-next")
    page.wait_for_selector("#q-protect-map[data-ready=true]")
    move_map(page, "protect", SANREMO, 14)
    for dx, dy in ((0, 0.004), (0.006, 0.004), (0.006, 0.009)):
        before = page.locator("#q-protect-finish").is_visible()
        move_map(page, "protect", (SANREMO[0] + dx, SANREMO[1] + dy), 14)
        page.click("#q-protect-centre")
        page.wait_for_timeout(300 if before else 200)
    page.wait_for_selector("#q-protect-finish:not([hidden])")
    page.click("#q-protect-finish")
    page.wait_for_selector("#q-protect-answers li")
    shot(page, f"360-7-area-{language}")
    page.click("#q-send")
    page.wait_for_selector("#q-thanks:not([hidden])")
    shot(page, f"360-8-thanks-{language}")
    assert Response.objects.get().map_answers.filter(question__code="protect").exists()
    assert not page.js_errors

    # A wide screen: the questions of a page together.
    project, base = live_demo
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale=f"{language}-IT")
    desk = wide.new_page()
    desk.goto(f"{base}/{language}/p/{project.slug}/q/{questionnaire.slug}/")
    desk.wait_for_selector("#questionnaire-form[data-ready=true]")
    assert shown_questions(desk) == ["bus", "satisfaction", "age", "remarks"]
    shot(desk, f"wide-1-page-{language}")
    desk.check("#q-bus-choice-0")
    desk.click("#q-next")
    assert shown_questions(desk) == ["unsafe", "route", "protect"]
    desk.wait_for_selector("#q-unsafe-map[data-ready=true]")
    desk.wait_for_timeout(2000)  # the territory basemap drawn (a full-page shot would not wait)
    shot(desk, f"wide-2-maps-{language}", full_page=False)
    wide.close()


def test_no_serious_accessibility_violation_on_a_phone(live_demo, browser):
    """axe-core (WCAG 2.1 A and AA) on a choice screen, a map screen with an answer and its
    refusal, and the thanks; every radio and checkbox on one line with its label."""
    project, base = live_demo
    questionnaire = mobility_questionnaire(project)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="it-IT", bypass_csp=True
    )
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(f"{base}/it/p/{project.slug}/q/{questionnaire.slug}/")
    page.wait_for_selector("#questionnaire-form[data-ready=true]")
    assert axe_violations(page) == []
    page.check("#q-bus-choice-2")
    page.click("#q-next")
    assert boxes_apart_from_their_labels(page) == []
    with_draft(page, {"bus": "daily"}, "unsafe")
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    move_map(page, "unsafe", AT_SEA, 13)
    page.click("#q-unsafe-centre")
    page.wait_for_function("() => document.getElementById('q-unsafe-error').textContent !== ''")
    move_map(page, "unsafe", SANREMO, 15)
    page.click("#q-unsafe-centre")
    page.wait_for_selector("#q-unsafe-answers li")
    assert axe_violations(page) == []
    context.close()
