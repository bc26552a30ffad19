"""Answering a questionnaire through the service: every rule, one transaction, idempotent."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils import timezone

from contributions.models import Project
from contributions.services.submission import check_geometry
from core.errors import DomainError
from questionnaires.models import Answer, MapAnswer, Question, Response
from questionnaires.services import submit_response
from tests.contributions.conftest import MENTON, MONACO, NICE
from tests.factories import make_user
from tests.questionnaires.factories import area, client_key, line, make_questionnaire, point

pytestmark = pytest.mark.django_db

FULL = {
    "bus": "never",
    "why": ["far", "slow"],
    "satisfaction": 2,
    "age": 41,
    "name": "  Anna  ",
    "remarks": "Le car passe trop tôt.",
    "unsafe": [point(*NICE, comment="Pas de trottoir"), point(*MENTON)],
    "route": [line(NICE, (7.27, 43.71))],
    "protect": [area(7.30, 43.75)],
}


def submit(questionnaire, answers, **kwargs):
    kwargs.setdefault("client_key", client_key())
    kwargs.setdefault("language", "it")
    return submit_response(questionnaire=questionnaire, answers=answers, **kwargs)


def refused(questionnaire, answers, **kwargs) -> DomainError:
    before = (Response.objects.count(), Answer.objects.count(), MapAnswer.objects.count())
    with pytest.raises(DomainError) as caught:
        submit(questionnaire, answers, **kwargs)
    after = (Response.objects.count(), Answer.objects.count(), MapAnswer.objects.count())
    assert after == before, "a refused response wrote something"
    return caught.value


def test_a_full_response_is_stored_with_its_communes(demo):
    questionnaire = make_questionnaire(demo)
    response, created = submit(questionnaire, FULL)
    assert created
    values = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert values == {
        "bus": "never",
        "why": ["slow", "far"],  # in the question's order
        "satisfaction": 2,
        "age": 41,
        "name": "Anna",
        "remarks": "Le car passe trop tôt.",
    }
    drawings = list(response.map_answers.select_related("question", "commune"))
    assert [(d.question.code, d.position) for d in drawings] == [
        ("unsafe", 0),
        ("unsafe", 1),
        ("route", 0),
        ("protect", 0),
    ]
    assert drawings[0].comment == "Pas de trottoir" and drawings[0].commune.code == "06088"
    assert drawings[1].commune.code == "06083"
    assert drawings[3].commune is not None
    assert {d.project_id for d in drawings} == {demo.pk}
    assert {a.project_id for a in response.answers.all()} == {demo.pk}
    assert response.project_id == demo.pk and response.language == "it"
    assert response.channel == "online" and response.user is None and response.participant == ""


def test_a_replay_returns_the_stored_response_and_writes_nothing(demo):
    questionnaire = make_questionnaire(demo)
    key = client_key()
    first, created = submit(questionnaire, FULL, client_key=key)
    counts = (Response.objects.count(), Answer.objects.count(), MapAnswer.objects.count())
    again, created_again = submit(questionnaire, {"bus": "daily"}, client_key=key)
    assert created and not created_again and again.pk == first.pk
    assert counts == (Response.objects.count(), Answer.objects.count(), MapAnswer.objects.count())


def test_the_same_key_in_another_questionnaire_is_another_response(demo):
    key = client_key()
    one, _ = submit(make_questionnaire(demo), {"bus": "daily"}, client_key=key)
    two, created = submit(make_questionnaire(demo), {"bus": "daily"}, client_key=key)
    assert created and one.pk != two.pk


def test_a_required_question_needs_an_answer(demo):
    error = refused(make_questionnaire(demo), {"satisfaction": 3})
    assert (error.code, error.status, error.extra["question"]) == ("answer_required", 422, "bus")


def test_an_answer_to_a_hidden_question_is_dropped(demo):
    response, _ = submit(make_questionnaire(demo), {"bus": "daily", "why": ["slow"]})
    assert list(response.answers.values_list("question__code", flat=True)) == ["bus"]


def test_a_required_hidden_question_is_not_required(demo):
    questionnaire = make_questionnaire(demo)
    Question.objects.filter(questionnaire=questionnaire, code="why").update(required=True)
    assert submit(questionnaire, {"bus": "daily"})[1]
    assert refused(questionnaire, {"bus": "never"}).extra["question"] == "why"


@pytest.mark.parametrize(
    ("answers", "code", "question"),
    [
        ({"bus": "never", "nope": 1}, "unknown_question", None),
        ({"bus": "sometimes"}, "unknown_choice", "bus"),
        ({"bus": ["never"]}, "unknown_choice", "bus"),
        ({"bus": "never", "why": "slow"}, "unknown_choice", "why"),
        ({"bus": "never", "why": ["slow", "slow"]}, "unknown_choice", "why"),
        ({"bus": "never", "why": ["slow", "fast"]}, "unknown_choice", "why"),
        ({"bus": "daily", "satisfaction": 6}, "out_of_scale", "satisfaction"),
        ({"bus": "daily", "satisfaction": 0}, "out_of_scale", "satisfaction"),
        ({"bus": "daily", "satisfaction": 2.5}, "out_of_scale", "satisfaction"),
        ({"bus": "daily", "satisfaction": True}, "out_of_scale", "satisfaction"),
        ({"bus": "daily", "satisfaction": "3"}, "out_of_scale", "satisfaction"),
        ({"bus": "daily", "age": 121}, "number_out_of_range", "age"),
        ({"bus": "daily", "age": -1}, "number_out_of_range", "age"),
        ({"bus": "daily", "age": 10**400}, "number_out_of_range", "age"),
        ({"bus": "daily", "age": "41"}, "not_a_number", "age"),
        ({"bus": "daily", "age": False}, "not_a_number", "age"),
        ({"bus": "daily", "name": "x" * 201}, "text_too_long", "name"),
        ({"bus": "daily", "remarks": "x" * 5001}, "text_too_long", "remarks"),
        ({"bus": "daily", "name": "a\x00b"}, "nul_byte", "name"),
        ({"bus": "daily", "name": {"text": "x"}}, "not_a_text", "name"),
        ({"bus": "daily", "unsafe": point(*NICE)}, "malformed_map_answer", "unsafe"),
        ({"bus": "daily", "unsafe": [[7.26, 43.70]]}, "malformed_map_answer", "unsafe"),
        ({"bus": "daily", "unsafe": [point(*NICE)] * 4}, "wrong_count", "unsafe"),
        ({"bus": "daily", "unsafe": [line(NICE, MENTON)]}, "wrong_geometry_type", "unsafe"),
        ({"bus": "daily", "route": [point(*NICE)]}, "wrong_geometry_type", "route"),
        ({"bus": "daily", "route": [line(NICE, MENTON)]}, "line_too_long", "route"),
        ({"bus": "daily", "protect": [area(*NICE, size=0.05)]}, "area_too_large", "protect"),
        ({"bus": "daily", "unsafe": [{"comment": "x"}]}, "missing_geometry", "unsafe"),
        (
            {"bus": "daily", "unsafe": [point(*NICE, comment="x" * 1001)]},
            "text_too_long",
            "unsafe",
        ),
        ({"bus": "daily", "unsafe": [point(*NICE, comment="\x00")]}, "nul_byte", "unsafe"),
        ({"bus": "daily", "unsafe": [point(*NICE, comment=7)]}, "not_a_text", "unsafe"),
        (
            {"bus": "daily", "unsafe": [{"geometry": {"type": "Point", "coordinates": [700, 1]}}]},
            "coordinates_out_of_range",
            "unsafe",
        ),
        (
            {
                "bus": "daily",
                "unsafe": [{"geometry": {"type": "MultiPoint", "coordinates": [list(NICE)]}}],
            },
            "unsupported_geometry_type",
            "unsafe",
        ),
        (
            {
                "bus": "daily",
                "protect": [
                    {
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [7.26, 43.70],
                                    [7.27, 43.71],
                                    [7.27, 43.70],
                                    [7.26, 43.71],
                                    [7.26, 43.70],
                                ]
                            ],
                        }
                    }
                ],
            },
            "invalid_geometry",
            "protect",
        ),
    ],
)
def test_each_rule_has_its_code_and_names_the_question(demo, answers, code, question):
    error = refused(make_questionnaire(demo), answers)
    assert error.code == code, error.message
    assert error.status in (400, 422)
    assert error.extra.get("question") == question
    assert error.message


def test_answers_must_be_an_object(demo):
    assert refused(make_questionnaire(demo), ["bus"]).code == "malformed_answers"


def test_outside_the_perimeter_is_refused_with_the_sentence_contributions_use(demo):
    questionnaire = make_questionnaire(demo)
    error = refused(questionnaire, {"bus": "daily", "unsafe": [point(*NICE), point(*MONACO)]})
    with pytest.raises(DomainError) as contribution_error:
        check_geometry(demo, GEOSGeometry(f"SRID=4326;POINT({MONACO[0]} {MONACO[1]})"))
    assert error.code == "outside_perimeter" == contribution_error.value.code
    assert error.message == contribution_error.value.message
    assert error.status == 422 and error.extra["question"] == "unsafe"
    assert error.extra["distance_m"] > 0


def test_a_question_may_accept_places_outside_the_perimeter(demo):
    questionnaire = make_questionnaire(demo)
    Question.objects.filter(questionnaire=questionnaire, code="unsafe").update(
        inside_perimeter=False
    )
    response, _ = submit(questionnaire, {"bus": "daily", "unsafe": [point(*MONACO)]})
    assert response.map_answers.count() == 1


def test_fewest_drawings(demo):
    questionnaire = make_questionnaire(demo)
    Question.objects.filter(questionnaire=questionnaire, code="unsafe").update(min_count=2)
    assert refused(questionnaire, {"bus": "daily", "unsafe": [point(*NICE)]}).code == "wrong_count"
    assert submit(questionnaire, {"bus": "daily", "unsafe": [point(*NICE), point(*MENTON)]})[1]


def test_dates_and_publication(demo):
    now = timezone.now()
    closed = make_questionnaire(demo, closes_at=now - timedelta(days=1))
    future = make_questionnaire(demo, opens_at=now + timedelta(days=1))
    draft = make_questionnaire(demo, published=False)
    assert refused(closed, {"bus": "daily"}).code == "questionnaire_closed"
    assert refused(future, {"bus": "daily"}).status == 409
    assert refused(draft, {"bus": "daily"}).code == "questionnaire_not_published"
    # Paper collected before the closing date is entered by staff afterwards.
    staff = make_user(staff=True)
    response, created = submit(closed, {"bus": "daily"}, entered_by=staff, channel="paper")
    assert created and response.channel == "paper" and response.entered_by == staff
    assert closed.is_open(now - timedelta(days=2)) and not closed.is_open(now)


def test_anonymous_answers_only_where_questionnaire_and_project_allow_them(demo):
    closed_to_anonymous = make_questionnaire(demo, allow_anonymous=False)
    error = refused(closed_to_anonymous, {"bus": "daily"})
    assert (error.code, error.status) == ("anonymous_not_allowed", 401)
    user = make_user()
    response, _ = submit(closed_to_anonymous, {"bus": "daily"}, user=user)
    assert response.user == user and response.participant == f"user:{user.pk}"
    questionnaire = make_questionnaire(demo)
    Project.objects.filter(pk=demo.pk).update(allow_anonymous=False)
    try:
        questionnaire.refresh_from_db()
        questionnaire.project.refresh_from_db()
        assert refused(questionnaire, {"bus": "daily"}).code == "anonymous_not_allowed"
    finally:
        Project.objects.filter(pk=demo.pk).update(allow_anonymous=True)


def test_a_person_answers_once_and_cannot_take_another_persons_key(demo):
    questionnaire = make_questionnaire(demo)
    user, other = make_user(), make_user()
    key = client_key()
    submit(questionnaire, {"bus": "daily"}, user=user, client_key=key)
    assert refused(questionnaire, {"bus": "daily"}, user=user).code == "already_answered"
    assert refused(questionnaire, {"bus": "daily"}, user=other, client_key=key).code == (
        "client_key_taken"
    )
    assert refused(questionnaire, {"bus": "daily"}, client_key=key).code == "client_key_taken"
    # The owner's own replay is the stored response.
    assert submit(questionnaire, {"bus": "daily"}, user=user, client_key=key)[1] is False


@pytest.mark.parametrize("key", ["", "short", "x" * 101, "a b c d e f", "<script>", None, 12345678])
def test_the_client_key_is_checked(demo, key):
    assert refused(make_questionnaire(demo), {"bus": "daily"}, client_key=key).code == (
        "invalid_client_key"
    )


@pytest.mark.parametrize(("field", "value"), [("language", "de"), ("channel", "fax")])
def test_language_and_channel_are_known_ones(demo, field, value):
    assert refused(make_questionnaire(demo), {"bus": "daily"}, **{field: value}).status == 422


def test_hostile_text_is_stored_as_text(demo):
    hostile = "<script>alert(1)</script>'); DROP TABLE x; --"
    response, _ = submit(make_questionnaire(demo), {"bus": "daily", "remarks": hostile})
    assert response.answers.get(question__code="remarks").value == hostile


def test_conditions_are_checked_when_questions_are_built(demo):
    questionnaire = make_questionnaire(demo)
    page = questionnaire.pages.get(position=0)
    first = questionnaire.questions.get(code="bus")

    def condition(value, **fields):
        question = Question(
            questionnaire=questionnaire,
            page=page,
            position=fields.pop("position", 99),
            code="later",
            kind="short_text",
            text={"en": "Later"},
            condition=value,
        )
        with pytest.raises(ValidationError) as caught:
            question.full_clean()
        return caught.value.message_dict

    assert "condition" in condition({"question": "satisfaction", "values": ["1"]})
    assert "condition" in condition({"question": "bus", "values": ["sometimes"]})
    assert "condition" in condition({"question": "bus", "values": []})
    assert "condition" in condition({"question": "nope", "values": ["never"]})
    assert "condition" in condition(["bus"])
    # A condition on a later question.
    first.condition = {"question": "why", "values": ["slow"]}
    with pytest.raises(ValidationError):
        first.full_clean()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "single_choice", "choices": []}, "choices"),
        ({"kind": "single_choice", "choices": [{"value": "a", "label": {}}]}, "choices"),
        (
            {"kind": "multi_choice", "choices": [{"value": "a", "label": {"en": "A"}}] * 2},
            "choices",
        ),
        ({"kind": "scale", "scale_min": 5, "scale_max": 1}, "scale_max"),
        ({"kind": "scale", "scale_min": 0, "scale_max": 20}, "scale_max"),
        ({"kind": "number", "number_min": 5, "number_max": 1}, "number_max"),
        ({"kind": "map_point", "min_count": 3, "max_count": 2}, "max_count"),
        ({"kind": "map_point", "max_count": 0}, "max_count"),
        ({"kind": "short_text", "text": {"en": "  "}}, "text"),
    ],
)
def test_a_question_must_make_sense(demo, fields, error):
    questionnaire = make_questionnaire(demo, questions=False)
    page = questionnaire.pages.create(position=0)
    fields.setdefault("text", {"en": "Q"})
    question = Question(questionnaire=questionnaire, page=page, code="q", **fields)
    with pytest.raises(ValidationError) as caught:
        question.full_clean()
    assert error in caught.value.message_dict


def test_properties(demo):
    questionnaire = make_questionnaire(demo)
    kinds = {q.code: (q.is_map, q.geometry_type) for q in questionnaire.questions.all()}
    assert kinds["unsafe"] == (True, "Point")
    assert kinds["route"] == (True, "LineString")
    assert kinds["protect"] == (True, "Polygon")
    assert kinds["bus"] == (False, None)
