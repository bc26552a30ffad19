"""The demo's questionnaire: loaded with the demo, idempotent, every text in fr, it and en,
the five questions of the brief with their kinds, answerable."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from contributions.models import Project
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


def _showcase_counts(project):
    from contributions.models import PartnerProject, PartnerVote, ProjectPartner
    from questionnaires.models import MapAnswer, Response

    return {
        "partners": ProjectPartner.objects.filter(project=project).count(),
        "partner_projects": PartnerProject.objects.filter(project=project).count(),
        "votes": PartnerVote.objects.filter(project=project).count(),
        "responses": Response.objects.filter(
            project=project, client_key__startswith="synthetic-"
        ).count(),
        "drawings": MapAnswer.objects.filter(
            project=project, response__client_key__startswith="synthetic-"
        ).count(),
        "vote_period": (
            Project.objects.filter(pk=project.pk)
            .values_list("partner_vote_opens_at", "partner_vote_closes_at")
            .get()
        ),
    }


def test_the_demo_showcase_partner_vote_and_responses(demo):
    """`make demo` (load_demo with showcase): five published partner projects of the four
    themes, by the three partners, in the project's languages, inside the perimeter; the vote open
    for 60 days, for/against, 40 votes; 150 synthetic responses with drawings inside the
    perimeter. Loading again changes nothing."""
    from contributions.models import PartnerProject, PartnerVote, PartnerVoteState

    output = StringIO()
    call_command("load_demo", stdout=output)
    assert "questionnaire responses: 150 added" in output.getvalue()
    first = _showcase_counts(demo)
    assert first["partners"] == 3 and first["partner_projects"] == 5
    assert first["votes"] == 40 and first["responses"] == 150
    assert first["drawings"] > 150
    project = Project.objects.get(pk=demo.pk)
    assert project.partner_vote_state() == PartnerVoteState.OPEN
    assert project.partner_vote_mode == "for_against"
    opens, closes = first["vote_period"]
    assert (closes - opens).days == 60
    items = PartnerProject.objects.filter(project=demo)
    assert {item.theme.slug for item in items} == {t.slug for t in demo.themes.all()}
    assert {item.location.geom_type for item in items} == {"Point", "LineString", "Polygon"}
    for item in items:
        assert item.published and item.partner is not None and item.cost_band and item.links
        for texts in (item.title, item.description, item.timeline):
            assert set(texts) == set(demo.languages) == {"fr", "it"}
        assert demo.perimeter.geom.buffer(0.001).covers(item.location)
        assert item.votes.exists()
    assert set(PartnerVote.objects.filter(project=demo).values_list("value", flat=True)) == {1, -1}
    # At least one commune of residence has enough voters to be shown (5 or more).
    voters = PartnerVote.objects.filter(project=demo, commune__isnull=False)
    by_commune = {}
    for commune, participant in voters.values_list("commune", "participant"):
        by_commune.setdefault(commune, set()).add(participant)
    assert max(len(people) for people in by_commune.values()) >= 5
    responses = Questionnaire.objects.get(project=demo, slug="mobility").responses
    assert responses.filter(answers__question__code="bus").distinct().count() >= 150
    assert responses.filter(commune__isnull=False).exists()
    # Loading again changes nothing, the vote period included.
    load_demo(showcase=True)
    assert _showcase_counts(demo) == first
