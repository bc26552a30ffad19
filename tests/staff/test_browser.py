"""The workspace in Chromium: the moderation queue, the answer flow, assisted entry on a
tablet. Screenshots land in artifacts/screenshots/."""

import json

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import GEOSGeometry
from django.core import mail
from django.test import Client

from contributions.models import Contribution, Follow, Status
from mapping.demo import load_demo
from staff.models import Action, AnswerTemplate, AuditEntry, Role
from tests.conftest import screenshot
from tests.factories import make_follow
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(live_server, page):
    """The demo, a moderator of it, and the browser signed in as them."""
    project = load_demo()
    moderator = give_role(make_user("moderatrice"), project, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return live_server.url, project, moderator


def test_moderation_queue_bulk_hide_with_a_reason(signed_in, page):
    base, project, moderator = signed_in
    # One reported item: it must come first.
    reported = Contribution.objects.filter(project=project).order_by("created_at").last()
    Contribution.objects.filter(pk=reported.pk).update(report_count=2)
    page.goto(f"{base}/fr/staff/{project.slug}/")
    items = page.locator(".queue-item")
    assert items.count() == 50
    assert reported.title in items.first.inner_text()
    assert page.locator(".queue-item.reported").count() == 1
    assert page.locator(".queue-item svg.minimap circle.marker").count() == 50
    screenshot(page, "staff-queue")

    # Keyboard: tick two items with the space bar.
    picks = page.locator("input.pick")
    picks.nth(0).focus()
    page.keyboard.press("Space")
    picks.nth(1).focus()
    page.keyboard.press("Space")
    assert "2" in page.locator("[data-selected-count]").inner_text()
    chosen = [v.split(":")[1] for v in (picks.nth(0).input_value(), picks.nth(1).input_value())]
    page.select_option("#id_reason_choice", "off_topic")
    page.locator("button[value=hide]").click()
    page.wait_for_load_state()
    # Hiding several items is confirmed first.
    page.locator("#confirm button[value=hide]").click()
    page.wait_for_load_state()
    assert page.locator(".message").inner_text().strip()
    screenshot(page, "staff-queue-after-hiding")

    assert set(Contribution.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {
        Status.HIDDEN
    }
    entries = AuditEntry.objects.filter(target_id__in=chosen)
    assert entries.count() == 2
    assert {e.action for e in entries} == {Action.HIDE}
    assert all(e.actor == moderator and e.reason for e in entries)
    assert page.js_errors == []


@pytest.mark.parametrize("workspace_language", ["fr", "it"])
def test_answer_flow_in_two_languages(signed_in, page, client, workspace_language):
    """A template fills the French and the Italian answers; the note says which language is
    missing as one types; each follower's email carries their language's text, and the public
    page shows the reader's (a language the project does not answer in falls back to the
    main one, and says so)."""
    base, project, moderator = signed_in
    assert project.languages == ["fr", "it"]
    AnswerTemplate.objects.create(
        project=project,
        name="Prévu",
        status=Status.PLANNED,
        texts={
            "fr": "Les travaux sont prévus au budget.",
            "it": "I lavori sono previsti a bilancio.",
        },
    )
    item = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    make_follow(contribution=item, email="residente@example.org", language="it")
    make_follow(contribution=item, email="habitant@example.org", language="fr")
    mail.outbox.clear()
    page.goto(f"{base}/{workspace_language}/staff/{project.slug}/c/{item.pk}/")
    assert page.locator("svg.minimap circle.marker").count() == 2
    page.select_option("#id_template", label="Prévu")
    assert page.input_value("#id_answer_fr") == "Les travaux sont prévus au budget."
    assert page.input_value("#id_answer_it") == "I lavori sono previsti a bilancio."
    assert page.input_value("#id_status") == Status.PLANNED
    assert page.locator("#answer-missing").inner_text() == ""
    page.fill("#id_answer_it", "")
    missing = page.locator("#answer-missing").inner_text()
    italian = {"fr": "Italien", "it": "Italiano"}[workspace_language]
    assert italian in missing, missing
    page.fill("#id_answer_fr", "Les travaux sont prévus au budget, au printemps.")
    page.fill("#id_answer_it", "I lavori sono previsti a bilancio, in primavera.")
    assert page.locator("#answer-missing").inner_text() == ""
    screenshot(page, f"staff-answer-{workspace_language}")
    page.locator("#answer-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".message").count() == 1
    # The history shows the answer in the workspace's language.
    shown = {"fr": "au printemps", "it": "in primavera"}[workspace_language]
    assert shown in page.locator(".history").inner_text()
    screenshot(page, f"staff-answer-saved-{workspace_language}")

    item.refresh_from_db()
    assert item.status == Status.PLANNED and item.answered_at
    assert item.answer == "Les travaux sont prévus au budget, au printemps."
    assert item.answer_texts == {
        "fr": "Les travaux sont prévus au budget, au printemps.",
        "it": "I lavori sono previsti a bilancio, in primavera.",
    }
    assert item.history.last().answer_texts == item.answer_texts
    assert AuditEntry.objects.get(target_id=item.pk).action == Action.STATUS
    emails = {message.to[0]: message for message in mail.outbox}
    assert sorted(emails) == ["habitant@example.org", "residente@example.org"]
    italian_mail, french_mail = emails["residente@example.org"], emails["habitant@example.org"]
    assert "I lavori sono previsti a bilancio, in primavera." in italian_mail.body
    assert "Les travaux" not in italian_mail.body
    assert f"/it/p/{project.slug}/c/{item.pk}/" in italian_mail.body
    assert "Les travaux sont prévus au budget, au printemps." in french_mail.body
    assert "I lavori" not in french_mail.body

    public = {
        lang: client.get(f"/{lang}/p/{project.slug}/c/{item.pk}/").content.decode()
        for lang in ("fr", "it", "en")
    }
    assert "in primavera" in public["it"] and "au printemps" not in public["it"]
    assert "au printemps" in public["fr"] and "in primavera" not in public["fr"]
    # English is not a language of this project: the main language's text, said as such.
    assert "au printemps" in public["en"] and 'lang="fr"' in public["en"]
    assert "Not available in your language" in public["en"]
    assert page.js_errors == []


def test_answer_errors_are_tied_to_the_field(signed_in, page):
    base, project, _moderator = signed_in
    item = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    page.goto(f"{base}/fr/staff/{project.slug}/c/{item.pk}/")
    page.select_option("#id_status", Status.REJECTED)
    page.fill("#id_answer_fr", "")
    page.fill("#id_answer_it", "")
    page.locator("#answer-form button[type=submit]").click()
    page.wait_for_load_state()
    answer = page.locator("#id_answer_fr")
    assert answer.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{answer.get_attribute('aria-describedby').split()[0]}").is_visible()
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_answer_fr"


def test_assisted_entry_on_a_tablet(signed_in, browser, live_server):
    base, project, moderator = signed_in
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 820, "height": 1180}, has_touch=True
    )
    client = Client()
    client.force_login(moderator)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    tablet = context.new_page()
    # django-leaflet keeps its maps out of globals: the test keeps the one it makes.
    tablet.add_init_script(
        "window.addEventListener('map:init', (e) => { window.testMap = e.detail.map; });"
    )
    tablet.goto(f"{base}/fr/staff/{project.slug}/record/?channel=phone")
    # Tap the django-leaflet map inside the perimeter, on a commune's inner point.
    commune = project.perimeter.members.annotate(spot=PointOnSurface("geom")).first()
    tablet.wait_for_function("() => window.testMap && window.testMap._loaded")
    # The map takes the height its column has left once the page is laid out, and redraws
    # (record.js): the tap is placed once Leaflet's size is the box's.
    settled = """() => { const map = window.testMap, box = map.getContainer();
                         const size = map.getSize();
                         return size.x === box.clientWidth && size.y === box.clientHeight; }"""
    tablet.wait_for_function(settled)
    tablet.wait_for_timeout(300)
    tablet.wait_for_function(settled)
    spot = tablet.evaluate(
        "([lat, lng]) => window.testMap.latLngToContainerPoint([lat, lng])",
        [commune.spot.y, commune.spot.x],
    )
    place_map = tablet.locator(".place-map .leaflet-container")
    box = place_map.bounding_box()
    assert 0 <= spot["x"] <= box["width"] and 0 <= spot["y"] <= box["height"]
    place_map.tap(position={"x": spot["x"], "y": spot["y"]})
    point = json.loads(tablet.input_value("#id_place"))
    assert point["type"] == "Point" and abs(point["coordinates"][0] - commune.spot.x) < 0.01
    assert abs(float(tablet.input_value("#id_latitude")) - commune.spot.y) < 0.01
    tablet.check("#id_kind_0")
    tablet.select_option("#id_theme", index=1)
    tablet.fill("#id_title", "Bus plus fréquents le samedi")
    tablet.locator(".record-more summary").click()  # the less-used fields
    tablet.fill("#id_email", "habitant@example.org")
    tablet.check("#id_consent")
    screenshot(tablet, "staff-record-tablet")
    tablet.locator("#record-form button[type=submit]").click()
    tablet.wait_for_load_state()
    item = Contribution.objects.get(title="Bus plus fréquents le samedi")
    assert item.channel == "phone" and item.consent_at and item.recorded_by == moderator
    assert item.email == "habitant@example.org"
    assert Follow.objects.filter(contribution=item, email="habitant@example.org").exists()
    context.close()


def test_moving_a_misplaced_pin_on_a_tablet(signed_in, browser):
    """A tap meant for Sospel landed in Triora: the moderator taps Sospel on the pin's map."""
    base, project, moderator = signed_in
    item = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    Contribution.objects.filter(pk=item.pk).update(
        geom=GEOSGeometry("POINT(7.7636 44.0)", srid=4326), commune=None
    )
    context = browser.new_context(
        locale="it-IT", viewport={"width": 820, "height": 1180}, has_touch=True
    )
    client = Client()
    client.force_login(moderator)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    tablet = context.new_page()
    blocked = []
    tablet.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base)
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    tablet.add_init_script(
        "window.addEventListener('map:init', (e) => { window.testMap = e.detail.map; });"
    )
    tablet.goto(f"{base}/it/staff/{project.slug}/c/{item.pk}/")
    # The map opens close on the pin where it is.
    tablet.wait_for_function(
        "() => window.testMap && window.testMap._loaded && !window.testMap._animatingZoom"
        " && window.testMap.getZoom() >= 14"
        " && Math.abs(window.testMap.getCenter().lng - 7.7636) < 0.001"
    )
    place_map = tablet.locator("#move .leaflet-container")
    place_map.scroll_into_view_if_needed()
    # The map opens on the pin; pan to Sospel as the moderator would, then tap it.
    tablet.evaluate("() => window.testMap.setView([43.8772, 7.4475], 14, {animate: false})")
    spot = tablet.evaluate("() => window.testMap.latLngToContainerPoint([43.8772, 7.4475])")
    place_map.tap(position={"x": spot["x"], "y": spot["y"]})
    moved = json.loads(tablet.input_value("#id_place"))
    assert abs(moved["coordinates"][0] - 7.4475) < 0.001
    tablet.fill("#id_reason", "Il tocco era scivolato")
    screenshot(tablet, "staff-move-pin-tablet")
    tablet.locator(".move-form button[type=submit]").click()
    tablet.wait_for_load_state()
    item.refresh_from_db()
    assert item.commune.code == "06136"
    assert AuditEntry.objects.filter(target_id=item.pk, action=Action.MOVE).exists()
    assert "Sospel" in tablet.locator(".messages, [role=status]").first.inner_text()
    assert blocked == []
    context.close()
