"""The demo's questionnaire: loaded with the demo, idempotent, every text in fr, it and en,
the five questions of the brief with their kinds, answerable."""

import json

import pytest

from mapping.demo import DEMO_DIR, load_demo
from questionnaires.builder import load_definition
from questionnaires.models import Questionnaire
from questionnaires.services import submit_response
from tests.contributions.conftest import MENTON, NICE
from tests.questionnaires.factories import area, client_key, line, point

pytestmark = pytest.mark.django_db


def test_the_demo_questionnaire(demo):
    questionnaire = Questionnaire.objects.get(project=demo, slug="mobility")
    assert questionnaire.published and questionnaire.anonymous_allowed
    kinds = {q.code: q.kind for q in questionnaire.questions.all()}
    assert kinds == {
        "bus": "single_choice",
        "why-not-bus": "multi_choice",
        "transport-satisfaction": "scale",
        "unsafe-walking": "map_point",
        "route-to-work": "map_line",
        "area-to-protect": "map_area",
    }
    for question in questionnaire.questions.all():
        assert set(question.text) == {"fr", "it", "en"}, question.code
        for choice in question.choices:
            assert set(choice["label"]) == {"fr", "it", "en"}
    bus = questionnaire.questions.get(code="bus")
    assert "never" in bus.choice_values
    # Loading again changes nothing.
    definition = json.loads((DEMO_DIR / "questionnaire.json").read_text(encoding="utf-8"))
    assert load_definition(project=demo, definition=definition)[0] is False
    load_demo()
    assert Questionnaire.objects.filter(project=demo).count() == 1
    assert questionnaire.questions.count() == 6
    response, created = submit_response(
        questionnaire=questionnaire,
        answers={
            "bus": "never",
            "why-not-bus": ["too-few"],
            "transport-satisfaction": 2,
            "unsafe-walking": [point(*NICE)],
            "route-to-work": [line(NICE, (7.28, 43.71))],
            "area-to-protect": [area(*MENTON, size=0.003)],
        },
        client_key=client_key(),
        language="it",
    )
    assert created and response.map_answers.count() == 3 and response.answers.count() == 3
