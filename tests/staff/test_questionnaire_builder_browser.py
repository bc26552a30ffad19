"""A manager builds a questionnaire in Chromium, on a tablet, without code: two pages, a
single-choice question, a point question shown only for one of its answers, a line question
and a scale question, then publishes it; the stored definition is what was built.
Screenshots land in artifacts/screenshots/questionnaires/."""

import pytest
from django.test import Client

from mapping.demo import load_demo
from questionnaires.models import Questionnaire
from staff.models import Role
from tests.conftest import ARTIFACTS
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = ARTIFACTS / "screenshots" / "questionnaires"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 360, "height": 740}


def shot(page, name, *, full=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


@pytest.fixture
def manager_page(live_server, page):
    project = load_demo()
    manager = give_role(make_user("gestionnaire"), project, Role.MANAGER)
    client = Client()
    client.force_login(manager)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size(TABLET)
    return live_server.url, project


def add_question(page, index, kind):
    """Opens the form for a new question of `kind` on the index-th page."""
    form = page.locator(".q-add").nth(index)
    form.locator("select").select_option(kind)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def fill_texts(page, prefix, texts):
    for code, text in texts.items():
        page.fill(f"#id_{prefix}_{code}", text)


def save(page):
    page.click("#save-question")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()


def test_a_manager_builds_and_publishes_a_questionnaire(manager_page, page):
    base, project = manager_page
    page.goto(f"{base}/fr/staff/{project.slug}/")
    page.click(f"nav.staff-nav a[href='/fr/staff/{project.slug}/questionnaires/']")
    page.wait_for_load_state()
    page.click(f"a[href='/fr/staff/{project.slug}/questionnaires/new/']")
    page.wait_for_load_state()
    # The demo project speaks French and Italian: a text for each.
    fill_texts(page, "title", {"fr": "Se déplacer", "it": "Spostarsi"})
    page.fill("#id_intro_fr", "Dix minutes pour dire comment vous vous déplacez.")
    page.fill("#id_slug", "se-deplacer")
    page.check("#id_allow_anonymous")
    shot(page, "builder-new-tablet")
    page.click("form.q-form button[type=submit]")
    page.wait_for_load_state()

    # A second page, for the map.
    page.fill("#id_title_fr", "Sur la carte")
    page.fill("#id_title_it", "Sulla mappa")
    page.click("button[value=add_page]")
    page.wait_for_load_state()
    assert page.locator(".q-page[data-page]").count() == 2

    add_question(page, 0, "single_choice")
    page.fill("#id_code", "bus")
    fill_texts(page, "text", {"fr": "Prenez-vous le car ?", "it": "Prende il bus?"})
    for number, (fr, it, value) in enumerate(
        [
            ("Chaque jour", "Ogni giorno", ""),
            ("Parfois", "A volte", ""),
            ("Jamais", "Mai", "never"),
        ],
        start=1,
    ):
        page.fill(f"#choice-{number}-fr", fr)
        page.fill(f"#choice-{number}-it", it)
        if value:
            page.fill(f"#choice-{number}-value", value)
    page.check("#id_required")
    shot(page, "builder-choice-question-tablet")
    save(page)

    add_question(page, 0, "scale")
    page.fill("#id_code", "satisfaction")
    fill_texts(page, "text", {"fr": "Êtes-vous satisfait du car, de 1 à 5 ?"})
    page.fill("#id_scale_low_fr", "Pas du tout")
    page.fill("#id_scale_high_fr", "Tout à fait")
    save(page)

    add_question(page, 1, "map_point")
    page.fill("#id_code", "unsafe")
    fill_texts(page, "text", {"fr": "Où vous sentez-vous en danger à pied ?"})
    page.fill("#id_max_count", "3")
    page.select_option("#id_condition_question", "bus")
    page.check("input[name=condition_values][value='bus:never']")
    shot(page, "builder-point-question-with-condition-tablet")
    save(page)

    add_question(page, 1, "map_line")
    page.fill("#id_code", "route")
    fill_texts(page, "text", {"fr": "Tracez votre trajet vers le travail"})
    page.fill("#id_max_length_m", "20000")
    page.set_viewport_size(PHONE)
    shot(page, "builder-line-question-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(TABLET)
    save(page)

    page.click("#publish")
    page.wait_for_load_state()
    assert page.locator(".q-status .badge.ok").count() == 1
    assert page.locator(f"a[href='/fr/p/{project.slug}/q/se-deplacer/']").count() == 1
    shot(page, "builder-overview-tablet")
    page.set_viewport_size(PHONE)
    shot(page, "builder-overview-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.js_errors == []

    questionnaire = Questionnaire.objects.get(project=project, slug="se-deplacer")
    assert questionnaire.published and questionnaire.allow_anonymous
    assert questionnaire.title == {"fr": "Se déplacer", "it": "Spostarsi"}
    pages = [
        [(q.code, q.kind) for q in p.questions.order_by("position")]
        for p in questionnaire.pages.order_by("position")
    ]
    assert pages == [
        [("bus", "single_choice"), ("satisfaction", "scale")],
        [("unsafe", "map_point"), ("route", "map_line")],
    ]
    questions = {q.code: q for q in questionnaire.questions.all()}
    assert questions["bus"].required
    assert questions["bus"].choices == [
        {"value": "chaque-jour", "label": {"fr": "Chaque jour", "it": "Ogni giorno"}},
        {"value": "parfois", "label": {"fr": "Parfois", "it": "A volte"}},
        {"value": "never", "label": {"fr": "Jamais", "it": "Mai"}},
    ]
    assert questions["unsafe"].condition == {"question": "bus", "values": ["never"]}
    assert questions["unsafe"].max_count == 3 and questions["unsafe"].inside_perimeter
    assert questions["route"].max_length_m == 20000
    scale = questions["satisfaction"]
    assert (scale.scale_min, scale.scale_max) == (1, 5)
    assert scale.scale_labels == {"1": {"fr": "Pas du tout"}, "5": {"fr": "Tout à fait"}}
    # The answering page reads the same definition through the API.
    definition = Client().get(
        f"/api/projects/{project.slug}/questionnaires/se-deplacer/", {"language": "it"}
    )
    assert definition.status_code == 200
    assert definition.json()["pages"][0]["questions"][0]["text"] == {
        "text": "Prende il bus?",
        "lang": "it",
    }
