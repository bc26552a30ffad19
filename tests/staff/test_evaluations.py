"""The evaluation grid, evaluators' scores side by side, and who may see them."""

import datetime

import pytest

from contributions.models import Status
from core.errors import DomainError
from staff.models import Action, AuditEntry, Evaluation, EvaluationCriterion, Role, Target
from staff.selectors.evaluations import (
    DISAGREEMENT_SPREAD,
    evaluation_summary,
    may_see_others,
    proposals_to_decide,
    side_by_side,
)
from staff.services.evaluation_grid import (
    default_grid,
    move_criterion,
    save_criterion,
    seed_default_grid,
    set_criterion_active,
)
from staff.services.evaluations import save_evaluation
from tests.factories import give_role, make_contribution, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(demo):
    return make_contribution(demo, kind="proposal", title="Un abri à vélos à la gare")


@pytest.fixture
def evaluators(demo):
    return (
        give_role(make_user(), demo, Role.ANALYST),
        give_role(make_user(), demo, Role.MODERATOR),
    )


def test_the_demo_has_the_default_grid_and_seeding_again_adds_nothing(demo):
    codes = list(EvaluationCriterion.objects.filter(project=demo).values_list("code", flat=True))
    assert codes == [spec["code"] for spec in default_grid()]
    assert seed_default_grid(demo) == 0
    theme = EvaluationCriterion.objects.get(project=demo, code="theme")
    assert {t.slug for t in demo.themes.all()} <= set(theme.choice_values())
    for criterion in EvaluationCriterion.objects.filter(project=demo):
        assert set(criterion.label) == {"fr", "it", "en"}


def test_two_evaluators_disagree_on_a_scale_and_a_choice(demo, proposal, evaluators):
    first, second = evaluators
    save_evaluation(
        actor=first,
        contribution=proposal,
        scores={"relevance": 5, "feasibility": "3", "cost_band": "under_10k"},
        notes="Très pertinent",
    )
    save_evaluation(
        actor=second,
        contribution=proposal,
        scores={"relevance": 5 - DISAGREEMENT_SPREAD, "feasibility": 4, "cost_band": "10k_50k"},
    )
    rows = {row.criterion.code: row for row in side_by_side(proposal)}
    assert rows["relevance"].disagrees and rows["relevance"].spread == DISAGREEMENT_SPREAD
    assert not rows["feasibility"].disagrees and rows["feasibility"].mean == 3.5
    assert rows["cost_band"].disagrees
    assert not rows["plans"].disagrees  # nobody scored it
    summary = evaluation_summary(proposal)
    assert summary["count"] == 2 and summary["disagreements"] == 2


def test_scores_are_checked_against_the_grid(demo, proposal, evaluators):
    for scores in (
        {"relevance": 9},
        {"relevance": "abc"},
        {"relevance": True},
        {"cost_band": "free"},
        {"nope": 1},
        ["relevance"],
    ):
        with pytest.raises(DomainError) as error:
            save_evaluation(actor=evaluators[0], contribution=proposal, scores=scores)
        assert error.value.status == 422
    assert not Evaluation.objects.filter(contribution=proposal).exists()


def test_saving_again_updates_the_one_evaluation_and_audits_each_save(demo, proposal, evaluators):
    first = evaluators[0]
    evaluation = save_evaluation(actor=first, contribution=proposal, scores={"relevance": 2})
    again = save_evaluation(actor=first, contribution=proposal, scores={"relevance": 4})
    assert again.pk == evaluation.pk and again.scores == {"relevance": 4}
    entries = AuditEntry.objects.filter(target_id=evaluation.pk, action=Action.EVALUATE)
    assert entries.count() == 2
    assert {entry.target_type for entry in entries} == {Target.EVALUATION}
    assert entries.first().details["scores"] == {"relevance": 4}


def test_independence_an_evaluator_sees_others_after_saving_their_own(demo, proposal, evaluators):
    first, second = evaluators
    manager = give_role(make_user(), demo, Role.MANAGER)
    save_evaluation(actor=first, contribution=proposal, scores={"relevance": 1})
    assert may_see_others(first, proposal)
    assert not may_see_others(second, proposal)
    assert may_see_others(manager, proposal)


def test_people_without_a_role_cannot_evaluate_or_change_the_grid(demo, proposal, evaluators):
    stranger = make_user()
    with pytest.raises(DomainError):
        save_evaluation(actor=stranger, contribution=proposal, scores={})
    with pytest.raises(DomainError):
        save_criterion(actor=evaluators[1], project=demo, label={"fr": "X"}, kind="scale")


def test_a_manager_adds_moves_and_deactivates_criteria(demo):
    manager = give_role(make_user(), demo, Role.MANAGER)
    criterion = save_criterion(
        actor=manager,
        project=demo,
        label={"fr": "Accessibilité", "it": "Accessibilità"},
        kind="choice",
        choices=[{"label": {"fr": "oui"}}, {"label": {"fr": "non"}}],
    )
    assert criterion.code == "accessibilite" and criterion.choice_values() == ["oui", "non"]
    move_criterion(actor=manager, project=demo, criterion_id=criterion.pk, direction="up")
    codes = list(EvaluationCriterion.objects.filter(project=demo).values_list("code", flat=True))
    assert codes[-2] == "accessibilite"
    set_criterion_active(actor=manager, project=demo, criterion_id=criterion.pk, active=False)
    assert not EvaluationCriterion.objects.get(pk=criterion.pk).active
    with pytest.raises(DomainError) as error:
        save_criterion(
            actor=manager, project=demo, label={"fr": "Y"}, kind="choice", choices=[{"x": 1}]
        )
    assert error.value.status == 422
    with pytest.raises(DomainError):
        save_criterion(
            actor=manager, project=demo, label={"fr": "Z"}, kind="scale", scale_min=5, scale_max=1
        )


def test_proposals_to_decide_are_the_published_proposals_of_the_period(demo):
    day = datetime.datetime(2019, 3, 10, 12, tzinfo=datetime.UTC)
    inside = make_contribution(demo, kind="proposal", created_at=day)
    make_contribution(demo, kind="proposal", created_at=day, status=Status.HIDDEN)
    make_contribution(demo, kind="proposal", created_at=day, status=Status.SUBMITTED)
    make_contribution(demo, kind="report", created_at=day)
    make_contribution(demo, kind="proposal", created_at=day + datetime.timedelta(days=40))
    found = list(proposals_to_decide(demo, datetime.date(2019, 3, 1), datetime.date(2019, 3, 31)))
    assert found == [inside]
