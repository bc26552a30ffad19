"""Paper and assisted answers to a questionnaire (issue 27): staff enter a resident's answers,
map answers included, say how they came in, and the response is stored once with the channel
and who entered it; a refused answer comes back next to its question with the service's
sentence. One browser walk on a tablet, every question on one page."""

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from mapping.demo import load_demo
from questionnaires.models import Response
from staff.models import Action, AuditEntry, Role
from tests.conftest import ARTIFACTS
from tests.pages.questionnaire_data import AT_SEA, SANREMO, mobility_questionnaire
from tests.staff.conftest import give_role, make_user

SHOTS = ARTIFACTS / "screenshots" / "questionnaires"
CONFIG = re.compile(
    r'<script id="questionnaire-config" type="application/json">(.*?)</script>', re.S
)


def point(lonlat, comment=""):
    return {"geometry": {"type": "Point", "coordinates": list(lonlat)}, "comment": comment}


def entry_url(questionnaire):
    return reverse("staff:questionnaire-entry", args=[questionnaire.project.slug, questionnaire.pk])


def config_of(response):
    return json.loads(CONFIG.search(response.content.decode()).group(1))


@pytest.fixture
def entering(demo, db):
    questionnaire = mobility_questionnaire(demo)
    moderator = give_role(make_user("saisie"), demo, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    return questionnaire, moderator, client


def test_a_paper_form_with_a_map_answer_is_recorded_once_with_its_channel(entering):
    questionnaire, moderator, client = entering
    page = client.get(entry_url(questionnaire), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    config = config_of(page)
    assert config["mode"] == "staff"
    assert [q["code"] for p in config["definition"]["pages"] for q in p["questions"]][:2] == [
        "bus",
        "why",
    ]
    commune = questionnaire.project.perimeter.members.get(name="Sanremo")
    form = {
        "channel": "paper",
        "language": "it",
        "commune": commune.code,
        "client_key": config["clientKey"],
        "answers": json.dumps(
            {
                "bus": "never",
                "why": ["far"],
                "satisfaction": 2,
                "unsafe": [point(SANREMO, "Incrocio pericoloso")],
                "route": [
                    {
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [list(SANREMO), [SANREMO[0], SANREMO[1] + 0.01]],
                        },
                        "comment": "",
                    }
                ],
            }
        ),
    }
    sent = client.post(entry_url(questionnaire), form)
    assert sent.status_code == 302, sent.context["form"].errors
    assert "channel=paper" in sent["Location"] and "language=it" in sent["Location"]
    response = Response.objects.get()
    assert response.channel == "paper"
    assert response.entered_by == moderator
    assert response.user is None and response.participant == ""
    assert response.language == "it"
    assert response.commune == commune
    values = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert values == {"bus": "never", "why": ["far"], "satisfaction": 2}
    drawn = {m.question.code: m for m in response.map_answers.select_related("question")}
    assert drawn["unsafe"].comment == "Incrocio pericoloso"
    assert drawn["unsafe"].geometry.geom_type == "Point"
    assert drawn["route"].geometry.geom_type == "LineString"
    # The same form sent again (a double tap, a reload): still one response.
    assert client.post(entry_url(questionnaire), form).status_code == 302
    assert Response.objects.count() == 1
    recorded = AuditEntry.objects.get(action=Action.RECORD, target_id=response.pk)
    assert (recorded.actor, recorded.details["channel"]) == (moderator, "paper")
    # The next empty form keeps the channel and the language, with a new key.
    following = client.get(sent["Location"])
    next_config = config_of(following)
    assert next_config["clientKey"] != config["clientKey"]
    assert following.context["form"].initial["channel"] == "paper"


def test_an_answer_outside_the_perimeter_comes_back_next_to_its_question(entering):
    questionnaire, _moderator, client = entering
    answers = {"bus": "daily", "unsafe": [point(AT_SEA)]}
    form = {
        "channel": "phone",
        "language": "fr",
        "client_key": str(uuid.uuid4()),
        "answers": json.dumps(answers),
    }
    refused = client.post(entry_url(questionnaire), form, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 422
    config = config_of(refused)
    assert "PITER ALPIMED" in config["errors"]["unsafe"]
    # What was entered is shown again, to correct rather than type again.
    assert config["initialAnswers"] == answers
    assert config["clientKey"] == form["client_key"]
    assert Response.objects.count() == 0


def test_unreadable_answers_and_unknown_channels_are_refused(entering):
    questionnaire, _moderator, client = entering
    base = {"language": "fr", "client_key": str(uuid.uuid4())}
    bad_json = client.post(entry_url(questionnaire), {**base, "channel": "paper", "answers": "{"})
    assert bad_json.status_code == 422
    online = client.post(entry_url(questionnaire), {**base, "channel": "online", "answers": "{}"})
    assert online.status_code == 422
    assert Response.objects.count() == 0


def test_staff_who_record_find_the_entry_from_the_answering_page(entering, demo):
    questionnaire, _moderator, client = entering
    public = f"/fr/p/{demo.slug}/q/{questionnaire.slug}/"
    link = f'href="/fr/staff/{demo.slug}/questionnaires/{questionnaire.pk}/entry/"'
    assert link in client.get(public).content.decode()
    assert link not in Client().get(public).content.decode()


def test_only_staff_who_record_may_enter_answers(entering, demo):
    questionnaire, _moderator, _client = entering
    analyst = give_role(make_user("analyste"), demo, Role.ANALYST)
    client = Client()
    assert client.get(entry_url(questionnaire)).status_code == 302  # to sign in
    client.force_login(analyst)
    assert client.get(entry_url(questionnaire)).status_code == 404


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_phone_answer_entered_on_a_tablet_with_a_point_on_the_map(live_server, browser):
    project = load_demo(count=0)
    questionnaire = mobility_questionnaire(project)
    moderator = give_role(make_user("tablette"), project, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    context = browser.new_context(locale="it-IT", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/it{entry_url(questionnaire)[3:]}")
    page.wait_for_selector("#questionnaire-form[data-ready=true]")
    # Every question but the conditional one on the page, no steps.
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('.question')).filter((q) => !q.hidden)"
        ".map((q) => q.dataset.code)"
    )
    assert shown == ["bus", "satisfaction", "age", "remarks", "unsafe", "route", "protect"]
    assert page.locator("#q-next").is_hidden()
    page.wait_for_timeout(1500)  # the territory basemap drawn
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "staff-entry-tablet-top-it.png"))
    page.check("#id_channel_2")  # phone
    page.check("#q-bus-choice-0")
    page.check("#q-satisfaction-choice-4")
    page.wait_for_selector("#q-unsafe-map[data-ready=true]")
    page.evaluate(
        "([lon, lat]) => new Promise((done) => { const map = questionnairePage.blocks.unsafe"
        ".widget.map; map.once('moveend', done); map.setView([lat, lon], 16, {animate: false}); })",
        list(SANREMO),
    )
    page.click("#q-unsafe-centre")
    page.wait_for_selector("#q-unsafe-answers li")
    page.fill("#q-unsafe-comment-0", "Detto al telefono")
    page.locator("#q-unsafe-field").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "staff-entry-tablet-map-it.png"))
    page.click("#q-send")
    page.wait_for_selector(".messages .success")
    response = Response.objects.get()
    assert response.channel == "phone" and response.entered_by == moderator
    assert response.map_answers.get().comment == "Detto al telefono"
    assert not errors
    context.close()
