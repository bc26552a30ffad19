"""Assisted entry on one screen: at 1024x768 the map sits beside the fields and the save
button is in view, so a pile of workshop cards goes in with a few taps each; on a phone the
fields stack. Screenshots land in /tmp/record_shots/ for a person to look at."""

import re
from pathlib import Path

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.test import Client

from contributions.models import Contribution, LocationPrecision
from mapping.demo import load_demo
from staff.models import Role
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/record_shots")
MAP = ".place-map .leaflet-container"
SAVE = "#record-form button[type=submit]"


@pytest.fixture
def staffed(live_server):
    """The demo and a moderator of it, with a session cookie for the browser."""
    project = load_demo()
    moderator = give_role(make_user("moderatrice"), project, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    return live_server.url, project, moderator, client.cookies["sessionid"].value


def open_page(browser, staffed, width, height, locale="fr-FR"):
    base, _project, _moderator, session = staffed
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": height}, has_touch=True
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    # django-leaflet keeps its maps out of globals: the test keeps the one it makes.
    page.add_init_script(
        "window.addEventListener('map:init', (e) => { window.testMap = e.detail.map; });"
    )
    return page


def load(page, url):
    page.goto(url)
    page.wait_for_function("() => window.testMap && window.testMap._loaded")
    page.wait_for_load_state("networkidle")  # the territory basemap, for the screenshots


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def in_view_unscrolled(page, selector):
    """The element is wholly inside the viewport, and the page has not been scrolled."""
    b = box(page, selector)
    size = page.viewport_size
    assert page.evaluate("window.scrollY") == 0
    return (
        b["x"] >= 0
        and b["y"] >= 0
        and b["x"] + b["width"] <= size["width"]
        and b["y"] + b["height"] <= size["height"]
    )


def apart(a, b):
    """Two boxes in different columns: one wholly left of the other."""
    return a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]


def side_by_side(a, b):
    """Two boxes one beside the other: in different columns, and sharing some height."""
    level = a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
    return apart(a, b) and level


def communes_with_spots(project, count):
    return list(
        project.perimeter.members.annotate(spot=PointOnSurface("geom")).order_by("name")[:count]
    )


def test_three_cards_in_a_row_on_a_1024x768_tablet(browser, staffed):
    base, project, moderator, _session = staffed
    theme = project.themes.order_by("position", "pk")[1]
    url = f"{base}/fr/staff/{project.slug}/record/"
    page = open_page(browser, staffed, 1024, 768)
    load(page, url)

    # One screen: the map beside the fields, the save button in view without scrolling.
    assert side_by_side(box(page, MAP), box(page, "#id_title"))
    assert apart(box(page, MAP), box(page, "#id_description"))
    assert in_view_unscrolled(page, SAVE)
    assert in_view_unscrolled(page, MAP)
    # Less used fields are folded away; the positive/negative choice waits for an observation.
    assert not page.locator("#id_email").is_visible()
    assert not page.locator("#id_sentiment").is_visible()
    shot(page, "record-1024x768")

    taps_per_card = []
    titles = ["Banc cassé place de l'église", "Plus de bus le samedi", "Fontaine à réparer"]
    for n, (title, commune) in enumerate(zip(titles, communes_with_spots(project, 3), strict=True)):
        taps = 0
        # The cursor waits in the title: typing it is the first gesture.
        assert page.evaluate("document.activeElement.id") == "id_title"
        page.keyboard.type(title)
        taps += 1
        if n == 0:
            # The first card sets how they came in, the kind and the theme; later cards keep them.
            page.locator("#id_channel input[value=phone]").tap()
            page.locator("#id_kind input[value=report]").tap()
            page.locator("#id_theme option", has_text=re.compile(r"\w")).nth(1).click()
            taps += 3
        # A tap on the map, inside the perimeter, places the point.
        spot = page.evaluate(
            "([lat, lng]) => window.testMap.latLngToContainerPoint([lat, lng])",
            [commune.spot.y, commune.spot.x],
        )
        place_map = box(page, MAP)
        assert 0 <= spot["x"] <= place_map["width"] and 0 <= spot["y"] <= place_map["height"]
        page.locator(MAP).tap(position={"x": spot["x"], "y": spot["y"]})
        taps += 1
        assert abs(float(page.input_value("#id_latitude")) - commune.spot.y) < 0.01
        page.locator("#id_consent").tap()
        taps += 1
        if n == 0:
            shot(page, "record-1024x768-filled-in")
        assert in_view_unscrolled(page, SAVE)
        with page.expect_navigation():
            page.locator(SAVE).tap()
        taps += 1
        taps_per_card.append(taps)
        page.wait_for_function("() => window.testMap && window.testMap._loaded")

        saved = Contribution.objects.get(project=project, title=title)
        # The confirmation names the card and links to it.
        assert title in page.locator(".messages").inner_text()
        link = page.locator(".saved-link a")
        assert link.inner_text() == title
        assert link.get_attribute("href") == f"/fr/staff/{project.slug}/c/{saved.pk}/"
        # The next card keeps how they came in, the kind, the theme and the language.
        assert page.locator("#id_channel_2").is_checked()
        assert page.locator("#id_kind input[value=report]").is_checked()
        assert page.input_value("#id_theme") == theme.slug
        assert page.input_value("#id_language") == "fr"
        assert page.input_value("#id_title") == ""
        assert not page.locator("#id_consent").is_checked()
        assert in_view_unscrolled(page, SAVE)
        assert side_by_side(box(page, MAP), box(page, "#id_title"))
        if n == 0:
            page.wait_for_load_state("networkidle")
            shot(page, "record-1024x768-after-saving")

    # Title, channel, kind, theme, map, consent, save; then title, map, consent, save.
    assert taps_per_card == [7, 4, 4]
    assert all(taps < 8 for taps in taps_per_card)

    cards = Contribution.objects.filter(project=project, title__in=titles)
    assert cards.count() == 3
    for card, commune in zip(
        sorted(cards, key=lambda c: titles.index(c.title)),
        communes_with_spots(project, 3),
        strict=True,
    ):
        assert card.channel == "phone" and card.kind == "report"
        assert card.theme.slug == theme.slug and card.language == "fr"
        assert card.recorded_by == moderator and card.consent_at
        assert card.geom.geom_type == "Point" and card.geom.srid == 4326
        assert commune.geom.contains(card.geom)
        assert card.location_precision == LocationPrecision.EXACT
    assert page.js_errors == []
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (820, 1180)])
def test_a_desktop_or_an_upright_tablet_keeps_the_map_beside_the_fields(
    browser, staffed, width, height
):
    base, project, _moderator, _session = staffed
    page = open_page(browser, staffed, width, height)
    load(page, f"{base}/fr/staff/{project.slug}/record/")
    assert side_by_side(box(page, MAP), box(page, "#id_title"))
    assert in_view_unscrolled(page, SAVE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    shot(page, f"record-{width}x{height}")
    # An observation asks whether it is positive or negative, and only then.
    page.locator("#id_kind input[value=observation]").click()
    assert page.locator("#id_sentiment").is_visible()
    assert in_view_unscrolled(page, SAVE)
    page.locator("summary").click()
    assert page.locator("#id_email").is_visible()
    shot(page, f"record-{width}x{height}-observation-details")
    assert page.js_errors == []
    page.context.close()


def test_a_phone_stacks_the_fields_without_sideways_scrolling(browser, staffed):
    base, project, _moderator, _session = staffed
    page = open_page(browser, staffed, 360, 740)
    load(page, f"{base}/fr/staff/{project.slug}/record/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    title, place_map, save = box(page, "#id_title"), box(page, MAP), box(page, SAVE)
    assert place_map["y"] >= title["y"] + title["height"]
    assert save["y"] >= place_map["y"] + place_map["height"]
    assert place_map["width"] >= 300
    shot(page, "record-360x740")
    page.screenshot(path=str(SHOTS / "record-360x740-full.png"), full_page=True)
    assert page.js_errors == []
    page.context.close()


LABELS = [
    "h1",
    "label[for=id_title]",
    "#id_kind legend",
    "label[for=id_theme]",
    "#id_channel legend",
    "label[for=id_channel_0]",
    "label[for=id_language]",
    "label[for=id_description]",
    "label[for=id_approximate]",
    "label[for=id_commune]",
    ".record-more summary",
    "label[for=id_latitude]",
    "label[for=id_consent]",
    SAVE,
]


def test_the_page_speaks_italian(browser, staffed):
    base, project, _moderator, _session = staffed
    page = open_page(browser, staffed, 1024, 768, locale="it-IT")
    load(page, f"{base}/en/staff/{project.slug}/record/")
    english = {selector: page.locator(selector).first.text_content() for selector in LABELS}
    load(page, f"{base}/it/staff/{project.slug}/record/")
    italian = {selector: page.locator(selector).first.text_content() for selector in LABELS}
    assert page.locator("html").get_attribute("lang") == "it"
    for selector in LABELS:
        assert italian[selector].strip(), selector
        assert italian[selector] != english[selector], (selector, italian[selector])
    assert italian[SAVE] == "Registra il contributo"
    assert side_by_side(box(page, MAP), box(page, "#id_title"))
    assert in_view_unscrolled(page, SAVE)
    shot(page, "record-1024x768-it")
    assert page.js_errors == []
    page.context.close()


def test_a_refused_card_shows_its_errors_in_view(browser, staffed):
    base, project, _moderator, _session = staffed
    page = open_page(browser, staffed, 1024, 768)
    load(page, f"{base}/fr/staff/{project.slug}/record/")
    with page.expect_navigation():
        page.locator(SAVE).tap()
    page.wait_for_function("() => window.testMap && window.testMap._loaded")
    # The list of errors has the focus; each field says what is wrong with it.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    for name in ("title", "kind", "theme", "consent"):
        assert page.locator(f"#id_{name}_error").is_visible(), name
    assert page.locator("#id_commune_error").is_visible()
    assert not page.locator("#id_email").is_visible()
    page.wait_for_load_state("networkidle")
    shot(page, "record-1024x768-errors")
    assert page.js_errors == []
    page.context.close()


def test_the_folded_fields_open_when_one_of_them_is_wrong(client, staffed):
    _base, project, moderator, _session = staffed
    client.force_login(moderator)
    url = f"/fr/staff/{project.slug}/record/"
    page = client.get(url).content.decode()
    assert '<details class="record-more">' in page
    assert "autofocus" in page
    response = client.post(
        url,
        {
            "channel": "phone",
            "kind": "proposal",
            "theme": project.themes.first().slug,
            "title": "Adresse fausse",
            "language": "fr",
            "consent": "on",
            "commune": communes_with_spots(project, 1)[0].code,
            "email": "pas-une-adresse",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert '<details class="record-more" open>' in page
    assert 'aria-invalid="true"' in page
    # The errors take the focus (record.js), not the title.
    assert "autofocus" not in page
