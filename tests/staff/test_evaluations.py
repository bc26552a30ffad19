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


# ---------------------------------------------------------------- the pages


def _page(client, user, demo, proposal):
    client.force_login(user)
    return client.get(f"/en/staff/{demo.slug}/c/{proposal.pk}/evaluation/")


def _post(client, user, demo, proposal, **fields):
    client.force_login(user)
    return client.post(f"/en/staff/{demo.slug}/c/{proposal.pk}/evaluation/", fields)


def test_two_evaluators_score_differently_and_see_the_disagreement(
    client, demo, proposal, evaluators
):
    first, second = evaluators
    response = _post(
        client,
        first,
        demo,
        proposal,
        score_relevance="5",
        score_cost_band="under_10k",
        notes="Note privée du premier",
    )
    assert response.status_code == 302
    # The second evaluator has not scored yet: the first one's scores and notes are not shown.
    html = _page(client, second, demo, proposal).content.decode()
    assert "Note privée du premier" not in html and 'class="scores"' not in html
    response = _post(
        client, second, demo, proposal, score_relevance="2", score_cost_band="under_10k"
    )
    assert response.status_code == 302
    for user in (first, second):
        html = _page(client, user, demo, proposal).content.decode()
        assert 'data-criterion="relevance" data-disagrees="true"' in html
        assert 'data-criterion="cost_band" data-disagrees="false"' in html
        assert html.count('class="flag"') == 1
        assert "Note privée du premier" in html
        assert first.get_username() in html and second.get_username() in html
    evaluation = Evaluation.objects.get(contribution=proposal, evaluator=second)
    assert evaluation.scores == {"relevance": 2, "cost_band": "under_10k"}


def test_a_bad_score_is_a_422_with_the_form_and_nothing_saved(client, demo, proposal, evaluators):
    response = _post(client, evaluators[0], demo, proposal, score_relevance="77", notes="x")
    assert response.status_code == 422
    assert not Evaluation.objects.filter(contribution=proposal).exists()


def test_pages_answer_404_to_people_without_the_role(client, demo, proposal, evaluators):
    other = make_user()
    assert _page(client, other, demo, proposal).status_code == 404
    assert _post(client, other, demo, proposal, score_relevance="3").status_code == 404
    client.force_login(evaluators[0])  # an analyst: evaluates, does not set up the grid
    assert client.get(f"/en/staff/{demo.slug}/evaluation-grid/").status_code == 404
    assert client.get(f"/en/staff/{demo.slug}/meetings/").status_code == 404
    client.logout()
    response = client.get(f"/en/staff/{demo.slug}/c/{proposal.pk}/evaluation/")
    assert response.status_code == 302


def test_the_grid_page_adds_edits_moves_and_deactivates(client, demo):
    manager = give_role(make_user(), demo, Role.MANAGER)
    client.force_login(manager)
    url = f"/en/staff/{demo.slug}/evaluation-grid/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "save",
            "kind": "choice",
            "scale_min": "1",
            "scale_max": "5",
            "label_fr": "Urgence",
            "label_it": "Urgenza",
            "choices_fr": "faible\nforte",
            "choices_it": "bassa\nalta",
        },
    )
    assert response.status_code == 302
    criterion = EvaluationCriterion.objects.get(project=demo, code="urgence")
    assert criterion.choices == [
        {"value": "faible", "label": {"fr": "faible", "it": "bassa"}},
        {"value": "forte", "label": {"fr": "forte", "it": "alta"}},
    ]
    edit = client.get(f"{url}?edit={criterion.pk}").content.decode()
    assert "Urgenza" in edit
    client.post(url, {"action": "up", "criterion": criterion.pk})
    client.post(url, {"action": "deactivate", "criterion": criterion.pk})
    criterion.refresh_from_db()
    assert not criterion.active
    assert client.post(url, {"action": "up", "criterion": "nope"}).status_code == 404
    response = client.post(url, {"action": "save", "kind": "scale", "label_fr": ""})
    assert response.status_code == 422


def test_the_contribution_page_links_to_the_evaluation(client, demo, proposal, evaluators):
    client.force_login(evaluators[1])
    html = client.get(f"/en/staff/{demo.slug}/c/{proposal.pk}/").content.decode()
    assert f"/staff/{demo.slug}/c/{proposal.pk}/evaluation/" in html
