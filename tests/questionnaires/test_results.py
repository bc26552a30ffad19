"""Per-question summaries, per-commune response rates, small-group suppression and the
cross-tabulation of a map question by a choice question."""

import pytest

from questionnaires import results
from questionnaires.models import Question
from tests.questionnaires.results_data import CLUSTER_SIZE, SCATTERED, survey  # noqa: F401

pytestmark = pytest.mark.django_db
TOTAL = CLUSTER_SIZE + SCATTERED


def by_code(summaries):
    return {s.code: s for s in summaries}


def test_every_question_is_summarised_in_order(survey):  # noqa: F811
    summaries = results.question_summaries(survey, "en")
    assert [s.code for s in summaries] == [
        "travel",
        "satisfaction",
        "trips",
        "modes",
        "unsafe",
        "route",
    ]
    assert results.response_count(survey) == TOTAL == survey.stored


def test_choice_distribution_counts_and_shares(survey):  # noqa: F811
    travel = by_code(results.question_summaries(survey, "en"))["travel"]
    assert travel.answered == TOTAL and travel.share == 1.0
    counts = {c["value"]: c["count"] for c in travel.choices}
    assert counts == {"bus": CLUSTER_SIZE + 10, "car": 10, "never_bus": 10}
    assert sum(counts.values()) == TOTAL
    assert {c["value"]: c["share"] for c in travel.choices}["car"] == round(10 / TOTAL, 4)
    modes = by_code(results.question_summaries(survey, "en"))["modes"]
    assert modes.answered == TOTAL // 2
    # Each respondent once per value chosen: shares of a multiple choice may pass 1 in total.
    assert {c["value"]: c["count"] for c in modes.choices} == {
        "walk": TOTAL // 4 + (TOTAL % 4 >= 2),
        "bike": TOTAL // 4,
        "train": TOTAL // 4 + (TOTAL % 4 >= 2),
    }


def test_mean_and_median_of_scale_and_number(survey):  # noqa: F811
    summaries = by_code(results.question_summaries(survey, "en"))
    scale_values = [1 + k % 5 for k in range(TOTAL)]
    trips = sorted(k % 11 for k in range(TOTAL))
    assert summaries["satisfaction"].mean == round(sum(scale_values) / TOTAL, 2)
    assert summaries["satisfaction"].median == 3
    assert summaries["trips"].mean == round(sum(trips) / TOTAL, 2)
    assert summaries["trips"].median == (trips[TOTAL // 2 - 1] + trips[TOTAL // 2]) / 2


def test_map_questions_count_respondents_and_shapes(survey):  # noqa: F811
    summaries = by_code(results.question_summaries(survey, "en"))
    assert summaries["unsafe"].answered == TOTAL and summaries["unsafe"].map_answers == TOTAL
    assert summaries["route"].answered == SCATTERED == summaries["route"].map_answers


def test_personal_question_hides_groups_under_five(survey, django_db_blocker):  # noqa: F811
    Question.objects.filter(questionnaire=survey, code="travel").update(personal=True)
    try:
        from questionnaires.models import Answer

        # Three answers to a fourth value, then they are pooled, never shown alone.
        bus = Answer.objects.filter(question__questionnaire=survey, question__code="travel")
        moved = list(bus.filter(value="car").values_list("pk", flat=True)[:7])
        Answer.objects.filter(pk__in=moved).update(value="rare")
        travel = by_code(results.question_summaries(survey, "en"))["travel"]
        counts = {c["value"]: c["count"] for c in travel.choices}
        assert "car" not in counts and "rare" in counts  # 3 car, 7 rare
        assert travel.suppressed and travel.other is None
        assert all(c["count"] == 0 or c["count"] >= results.MIN_GROUP for c in travel.choices)
    finally:
        Question.objects.filter(questionnaire=survey, code="travel").update(personal=False)


def test_personal_question_with_fewer_than_five_answers_shows_nothing(survey):  # noqa: F811
    from questionnaires.models import Answer

    question = Question.objects.get(questionnaire=survey, code="satisfaction")
    keep = list(Answer.objects.filter(question=question).values_list("pk", flat=True)[:3])
    Answer.objects.filter(question=question).exclude(pk__in=keep).delete()
    summary = by_code(results.question_summaries(survey, "en"))["satisfaction"]
    assert summary.suppressed
    assert summary.answered is None and summary.mean is None and summary.median is None


def test_commune_rates_against_population(survey):  # noqa: F811
    rows = results.commune_rates(survey)
    assert sum(row["responses"] for row in rows) == TOTAL
    counted = [row for row in rows if row["code"] and row["responses"]]
    assert counted
    for row in counted:
        if row["population"]:
            assert row["per_1000"] == round(row["responses"] / row["population"] * 1000, 3)
    assert rows[-1]["code"] is None  # responses of no known commune, last


def test_cross_tab_splits_map_answers_by_choice(survey):  # noqa: F811
    table = results.cross_tab(survey, "unsafe", "travel", "en")
    groups = {g["value"]: g for g in table["groups"]}
    assert set(groups) == {"bus", "car", "never_bus"}
    assert groups["bus"]["respondents"] == CLUSTER_SIZE + 10
    assert groups["bus"]["map_answers"] == sum(groups["bus"]["communes"].values())
    assert sum(g["map_answers"] for g in groups.values()) == TOTAL
    assert not table["suppressed"]


def test_personal_cross_tab_leaves_out_small_communes(survey):  # noqa: F811
    Question.objects.filter(questionnaire=survey, code="travel").update(personal=True)
    table = results.cross_tab(survey, "unsafe", "travel", "en")
    assert table["suppressed"]
    for group in table["groups"]:
        assert group["respondents"] >= results.MIN_GROUP
        assert sum(group["communes"].values()) <= group["map_answers"]
    # The scattered answers (one per commune or so) are gone; the cluster's commune stays.
    bus = next(g for g in table["groups"] if g["value"] == "bus")
    assert bus["communes"] and max(bus["communes"].values()) >= results.MIN_GROUP
