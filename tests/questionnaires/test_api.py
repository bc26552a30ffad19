"""The questionnaires API through HTTP: the definition, answering, bad input, no listing."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from questionnaires.models import MapAnswer, Response
from tests.contributions.conftest import MONACO, NICE
from tests.factories import make_user
from tests.questionnaires.factories import client_key, make_questionnaire, point

pytestmark = pytest.mark.django_db


def url(questionnaire, suffix=""):
    return (
        f"/api/projects/{questionnaire.project.slug}/questionnaires/{questionnaire.slug}/{suffix}"
    )


def post(client, questionnaire, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        url(questionnaire, "responses/"), data=data, content_type="application/json", **extra
    )


def body(**answers):
    return {"client_key": client_key(), "language": "it", "answers": {"bus": "daily", **answers}}


def test_the_definition_in_italian(client, demo):
    questionnaire = make_questionnaire(demo)
    response = client.get(url(questionnaire), {"language": "it"})
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == {"text": "questionnaire (it)", "lang": "it"}
    assert data["slug"] == questionnaire.slug and data["is_open"] and data["anonymous_allowed"]
    assert [len(p["questions"]) for p in data["pages"]] == [6, 3]
    bus, why = data["pages"][0]["questions"][:2]
    assert bus["kind"] == "single_choice" and bus["required"]
    assert [c["value"] for c in bus["choices"]] == ["daily", "weekly", "never"]
    assert bus["choices"][2]["label"] == {"text": "Mai", "lang": "it"}
    assert why["condition"] == {"question": "bus", "values": ["never"]}
    unsafe, route, protect = data["pages"][1]["questions"]
    assert (unsafe["geometry_type"], unsafe["max_count"]) == ("Point", 3)
    assert route["max_length_m"] == 20_000 and protect["geometry_type"] == "Polygon"
    assert data["perimeter"]["name"] == demo.perimeter.name
    # A language the project has no text in falls back, and says so.
    assert client.get(url(questionnaire), {"language": "de"}).json()["title"]["lang"] == "fr"


def test_an_unpublished_or_unknown_questionnaire_is_not_found(client, demo):
    draft = make_questionnaire(demo, published=False)
    assert client.get(url(draft)).status_code == 404
    assert post(client, draft, body()).status_code == 404
    assert client.get(f"/api/projects/{demo.slug}/questionnaires/nope/").status_code == 404


def test_an_answer_is_stored_once(client, demo):
    questionnaire = make_questionnaire(demo)
    sent = body(satisfaction=4, unsafe=[point(*NICE, comment="ici")])
    first = post(client, questionnaire, sent)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    again = post(client, questionnaire, sent)
    assert again.status_code == 200 and again.json() == {"id": first.json()["id"], "created": False}
    stored = Response.objects.get(pk=first.json()["id"])
    assert stored.language == "it" and stored.user is None
    regional = post(client, questionnaire, {**body(), "language": "it-IT"})
    assert Response.objects.get(pk=regional.json()["id"]).language == "it"
    assert MapAnswer.objects.filter(response=stored).count() == 1


def test_a_signed_in_person_is_recorded_and_answers_once(client, demo):
    questionnaire = make_questionnaire(demo, allow_anonymous=False)
    assert post(client, questionnaire, body()).json()["code"] == "anonymous_not_allowed"
    user = make_user()
    client.force_login(user)
    assert post(client, questionnaire, body()).status_code == 201
    second = post(client, questionnaire, body())
    assert second.status_code == 409 and second.json()["code"] == "already_answered"
    assert Response.objects.get(questionnaire=questionnaire).user == user


def test_outside_the_perimeter_is_refused_with_the_usual_sentence(client, demo):
    questionnaire = make_questionnaire(demo)
    refused = post(client, questionnaire, body(unsafe=[point(*MONACO)]), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    data = refused.json()
    assert data["code"] == "outside_perimeter" and data["question"] == "unsafe"
    assert demo.perimeter.name in data["detail"] and data["distance_m"] > 0
    contribution = client.post(
        f"/api/projects/{demo.slug}/contributions/",
        data=json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(MONACO)},
                "properties": {"kind": "proposal", "theme": "infrastructure", "title": "x"},
            }
        ),
        content_type="application/geo+json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert contribution.json()["detail"] == data["detail"]
    assert not Response.objects.filter(questionnaire=questionnaire).exists()


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        ("{", 400, "malformed_json"),
        ("[]", 400, "malformed_json"),
        ('"text"', 400, "malformed_json"),
        ("NaN", 400, "malformed_json"),
        ("[" * 100_000, 400, "malformed_json"),
        (b"\xff\xfe", 400, "malformed_json"),
        ('{"client_key": "abcdefgh1", "answers": "bus"}', 400, "malformed_answers"),
        ('{"answers": {"bus": "daily"}}', 422, "invalid_client_key"),
        ('{"client_key": "abcdefgh2", "language": ["it"], "answers": {}}', 422, "unknown_language"),
        ('{"client_key": "abcdefgh3", "answers": {"bus": "a\\u0000"}}', 422, "unknown_choice"),
        (
            '{"client_key": "abcdefgh4", "answers": {"name": "a\\u0000", "bus": "daily"}}',
            422,
            "nul_byte",
        ),
        (
            '{"client_key": "abcdefgh5", "answers": {"age": 1e999, "bus": "daily"}}',
            422,
            "number_out_of_range",
        ),
    ],
)
def test_bad_input_gets_a_code_and_a_sentence(client, demo, raw, status, code):
    questionnaire = make_questionnaire(demo)
    response = post(client, questionnaire, raw)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["detail"]
    assert not Response.objects.filter(questionnaire=questionnaire).exists()


def test_a_huge_body_is_refused(client, demo):
    questionnaire = make_questionnaire(demo)
    huge = json.dumps(body(remarks="x" * 1_100_000))
    response = post(client, questionnaire, huge)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_only_json_is_taken(client, demo):
    questionnaire = make_questionnaire(demo)
    response = client.post(url(questionnaire, "responses/"), {"client_key": "abcdefgh"})
    assert response.status_code == 415


def test_responses_are_never_listed(client, demo):
    questionnaire = make_questionnaire(demo)
    post(client, questionnaire, body())
    assert client.get(url(questionnaire, "responses/")).status_code == 405
    assert "responses" not in client.get(url(questionnaire)).json()


def test_a_closed_questionnaire_says_so(client, demo):
    questionnaire = make_questionnaire(demo, closes_at=timezone.now())
    response = post(client, questionnaire, body())
    assert response.status_code == 409 and response.json()["code"] == "questionnaire_closed"
    assert client.get(url(questionnaire)).json()["is_open"] is False


def test_a_signed_in_browser_sends_its_csrf_token(demo):
    """As for contributions: a session's POST without the token is refused (another site
    cannot answer in a resident's name)."""
    questionnaire = make_questionnaire(demo)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user())
    refused = post(browser, questionnaire, body())
    assert refused.status_code == 403
    assert not Response.objects.filter(questionnaire=questionnaire).exists()
    browser.get(f"/fr/p/{demo.slug}/q/{questionnaire.slug}/")  # the answering page
    token = browser.cookies["csrftoken"]
    accepted = post(browser, questionnaire, body(), HTTP_X_CSRFTOKEN=token.value)
    assert accepted.status_code == 201, accepted.content
