"""Evaluating a proposal: one evaluator's scores on the project's grid and private notes,
saved and kept in the audit log. Private to staff: nothing here reaches a public output."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import Contribution, Kind, ProjectPartner, Status
from core.errors import DomainError, validated
from staff.models import Action, AuditEntry, Evaluation, EvaluationCriterion, Target
from staff.services.audit import require

NOTES_MAX_LENGTH = 5000


def clean_scores(project, scores) -> dict:
    """{code: value} checked against the project's active criteria: a scale takes a whole
    number within its bounds, a choice one of its options; a blank leaves it unscored."""
    if not isinstance(scores, dict):
        raise DomainError("invalid_scores", _("Scores must be given per criterion."), status=422)
    criteria = {c.code: c for c in EvaluationCriterion.objects.active().filter(project=project)}
    unknown = sorted(str(code) for code in scores if code not in criteria)
    if unknown:
        raise DomainError(
            "unknown_criterion",
            _("These criteria are not in the grid: %(codes)s.") % {"codes": ", ".join(unknown)},
            status=422,
        )
    cleaned = {}
    for code, value in scores.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        criterion = criteria[code]
        if criterion.is_scale:
            cleaned[code] = _scale_value(criterion, value)
        else:
            if not isinstance(value, str) or value not in criterion.choice_values():
                raise DomainError(
                    "invalid_score",
                    _("Choose one of the options for “%(label)s”.")
                    % {"label": criterion.display_label},
                    status=422,
                )
            cleaned[code] = value
    return cleaned


def _scale_value(criterion, value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(value) if isinstance(value, int | str) else None
    except ValueError:
        number = None
    if number is None or not (criterion.scale_min <= number <= criterion.scale_max):
        raise DomainError(
            "invalid_score",
            _("“%(label)s” takes a score from %(low)d to %(high)d.")
            % {
                "label": criterion.display_label,
                "low": criterion.scale_min,
                "high": criterion.scale_max,
            },
            status=422,
        )
    return number


@transaction.atomic
def save_evaluation(
    *,
    actor,
    contribution: Contribution,
    scores: dict,
    notes: str = "",
    partner_id=None,
    now=None,
) -> Evaluation:
    """Creates or updates the actor's own evaluation of a proposal (one per evaluator), and
    records it in the audit log with the scores it holds."""
    project = contribution.project
    require(actor, project, "evaluate")
    if contribution.kind != Kind.PROPOSAL or contribution.status == Status.SUBMITTED:
        raise DomainError("not_evaluable", _("Only published proposals are evaluated."), status=409)
    if not isinstance(notes, str):
        raise DomainError("invalid", _("Write the notes as text."), status=422)
    notes = notes.replace("\x00", "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise DomainError(
            "too_long",
            _("Notes are limited to %(n)d characters.") % {"n": NOTES_MAX_LENGTH},
            status=422,
        )
    cleaned = clean_scores(project, scores)
    partner = None
    if partner_id not in (None, ""):
        partner = ProjectPartner.objects.filter(project=project, pk=_int(partner_id)).first()
        if partner is None:
            raise DomainError("unknown_partner", _("Choose a partner of this project."), status=422)
    now = now or timezone.now()
    evaluation = (
        Evaluation.objects.select_for_update()
        .filter(contribution=contribution, evaluator=actor)
        .first()
    )
    created = evaluation is None
    if created:
        evaluation = Evaluation(
            project=project, contribution=contribution, evaluator=actor, created_at=now
        )
    before = {"scores": dict(evaluation.scores or {}), "notes": evaluation.notes}
    evaluation.scores, evaluation.notes, evaluation.partner = cleaned, notes, partner
    validated(
        evaluation,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project", "contribution", "evaluator", "partner"],
        validate_unique=False,
    )
    evaluation.save()
    AuditEntry.objects.create(
        project=project,
        actor=actor,
        actor_name=actor.get_username(),
        action=Action.EVALUATE,
        target_type=Target.EVALUATION,
        target_id=evaluation.pk,
        target_title=contribution.title[:140],
        details={
            "contribution": str(contribution.pk),
            "created": created,
            "scores": cleaned,
            "before": before,
            "notes": notes,
            "partner": partner.name if partner else "",
        },
        created_at=now,
    )
    return evaluation


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(
            "unknown_partner", _("Choose a partner of this project."), status=422
        ) from None
