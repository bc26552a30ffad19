"""Reading evaluations: the evaluators' scores side by side with where they disagree, a short
summary per proposal, and the proposals a meeting decides on. Staff only (docs/figures.md:
"Mean score", "Disagreement")."""

from dataclasses import dataclass, field
from statistics import mean

from contributions.models import Contribution, Kind, Status
from staff.models import Evaluation, EvaluationCriterion, Role
from staff.permissions import role_in

# Two evaluators disagree on a scale when their scores are this many points apart or more;
# on a choice, when they picked different options. The one definition (docs/figures.md).
DISAGREEMENT_SPREAD = 2


@dataclass
class Cell:
    evaluation: Evaluation
    value: object
    label: str


@dataclass
class Row:
    criterion: EvaluationCriterion
    cells: list = field(default_factory=list)
    disagrees: bool = False
    mean: float | None = None
    spread: int | None = None

    @property
    def values(self) -> list:
        return [cell.value for cell in self.cells]


def criteria_of(project):
    return list(EvaluationCriterion.objects.active().filter(project=project))


def evaluations_of(contribution):
    return list(
        Evaluation.objects.filter(contribution=contribution)
        .select_related("evaluator", "partner")
        .order_by("partner__position", "partner__name", "evaluator__username")
    )


def _scored(value) -> bool:
    return value not in (None, "")


def scale_mean(values) -> float | None:
    """The mean of the scores given on a scale (an evaluator who left it blank is not
    counted), rounded to one decimal; None when nobody scored it."""
    numbers = [value for value in values if isinstance(value, int | float)]
    return round(mean(numbers), 1) if numbers else None


def disagrees(criterion, values) -> bool:
    given = [value for value in values if _scored(value)]
    if len(given) < 2:
        return False
    if criterion.is_scale:
        numbers = [value for value in given if isinstance(value, int | float)]
        return bool(numbers) and max(numbers) - min(numbers) >= DISAGREEMENT_SPREAD
    return len({str(value) for value in given}) > 1


def _row(criterion, evaluations) -> Row:
    row = Row(criterion=criterion)
    for evaluation in evaluations:
        value = (evaluation.scores or {}).get(criterion.code)
        label = (
            str(value)
            if criterion.is_scale and _scored(value)
            else criterion.choice_label(value)
            if _scored(value)
            else ""
        )
        row.cells.append(Cell(evaluation=evaluation, value=value, label=label))
    row.disagrees = disagrees(criterion, row.values)
    if criterion.is_scale:
        row.mean = scale_mean(row.values)
        numbers = [value for value in row.values if isinstance(value, int | float)]
        row.spread = max(numbers) - min(numbers) if numbers else None
    return row


def side_by_side(contribution, *, criteria=None, evaluations=None) -> list[Row]:
    """One row per active criterion of the project, each with every evaluator's value (in
    the order of `evaluations_of`) and whether they disagree."""
    criteria = criteria_of(contribution.project) if criteria is None else criteria
    evaluations = evaluations_of(contribution) if evaluations is None else evaluations
    return [_row(criterion, evaluations) for criterion in criteria]


def evaluation_summary(contribution, *, criteria=None, evaluations=None) -> dict:
    """How many evaluated it, each criterion's mean (scales) or the options picked (choices),
    and on how many criteria the evaluators disagree."""
    evaluations = evaluations_of(contribution) if evaluations is None else evaluations
    rows = side_by_side(contribution, criteria=criteria, evaluations=evaluations)
    lines = []
    for row in rows:
        # A scale's line is its mean (the page writes it in the reader's format); a choice's,
        # the options picked.
        text = (
            ""
            if row.criterion.is_scale
            else " · ".join(sorted({cell.label for cell in row.cells if cell.label}))
        )
        lines.append(
            {
                "criterion": row.criterion,
                "mean": row.mean,
                "text": text,
                "disagrees": row.disagrees,
            }
        )
    return {
        "count": len(evaluations),
        "lines": lines,
        "disagreements": sum(1 for row in rows if row.disagrees),
        "rows": rows,
    }


def may_see_others(user, contribution) -> bool:
    """Evaluations are independent: an evaluator sees the others' scores once they have saved
    their own. Managers see them all along."""
    if role_in(user, contribution.project) == Role.MANAGER:
        return True
    return Evaluation.objects.filter(contribution=contribution, evaluator=user).exists()


def proposals_to_decide(project, start, end):
    """The project's published proposals submitted between `start` and `end` (dates, both
    included): not hidden, not awaiting moderation, not merged into another."""
    return (
        Contribution.objects.of_project(project)
        .public()
        .filter(kind=Kind.PROPOSAL, created_at__date__gte=start, created_at__date__lte=end)
        .exclude(status=Status.DUPLICATE)
        .select_related("theme", "public_commune")
        .order_by("created_at", "id")
    )
