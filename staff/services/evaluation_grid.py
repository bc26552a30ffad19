"""The project's evaluation grid: the default one (staff/data/evaluation_grid.json) and the
manager's changes to it (add, edit, reorder, deactivate; a criterion with scores on record is
deactivated rather than deleted, so past evaluations keep their meaning)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from contributions.models import Project
from core.errors import DomainError, validated
from staff.models import CriterionKind, EvaluationCriterion
from staff.services.audit import require

GRID_FILE = Path(__file__).resolve().parent.parent / "data" / "evaluation_grid.json"
LABEL_MAX_LENGTH = 200
HELP_MAX_LENGTH = 500
MAX_CHOICES = 30
SITE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def default_grid() -> list[dict]:
    return json.loads(GRID_FILE.read_text(encoding="utf-8"))["criteria"]


def _from_project(project, source) -> list[dict]:
    if source == "themes":
        return [{"value": theme.slug, "label": dict(theme.name)} for theme in project.themes.all()]
    if source == "partners":
        return [
            {
                "value": f"partner-{partner.pk}",
                "label": {code: partner.name for code in SITE_LANGUAGES},
            }
            for partner in project.partners.all()
        ]
    return []


@transaction.atomic
def seed_default_grid(project: Project) -> int:
    """Adds the default criteria the project lacks (by code); the theme and partner
    criteria list the project's own themes and partners. Returns how many were added; running
    it again adds nothing and changes nothing a manager edited."""
    existing = set(
        EvaluationCriterion.objects.filter(project=project).values_list("code", flat=True)
    )
    position = (
        EvaluationCriterion.objects.filter(project=project).aggregate(top=Max("position"))["top"]
        or 0
    )
    added = 0
    for spec in default_grid():
        if spec["code"] in existing:
            continue
        position += 1
        choices = _from_project(project, spec.get("choices_from")) + list(spec.get("choices", []))
        criterion = EvaluationCriterion(
            project=project,
            position=position,
            code=spec["code"],
            label=spec["label"],
            help=spec.get("help", {}),
            kind=spec["kind"],
            scale_min=spec.get("scale_min", 1),
            scale_max=spec.get("scale_max", 5),
            choices=choices if spec["kind"] == CriterionKind.CHOICE else [],
        )
        criterion.full_clean(exclude=["project"])
        criterion.save()
        added += 1
    return added


def _texts(value, *, limit: int, what: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        raise DomainError("invalid", _("Write each %(what)s as text.") % {"what": what}, status=422)
    texts = {code: (value.get(code) or "").strip() for code in SITE_LANGUAGES}
    if any(len(text) > limit for text in texts.values()):
        raise DomainError(
            "too_long", _("A text here is limited to %(n)d characters.") % {"n": limit}, status=422
        )
    return {code: text for code, text in texts.items() if text}


def _choices(value) -> list:
    """[{"value", "label": {lang: text}}], from a list of such dicts; a value is made a slug
    of its label when left empty."""
    if not isinstance(value, list) or len(value) > MAX_CHOICES:
        raise DomainError(
            "invalid_choices", _("List at most %(n)d options.") % {"n": MAX_CHOICES}, status=422
        )
    cleaned = []
    for item in value:
        if not isinstance(item, dict):
            raise DomainError("invalid_choices", _("Each option needs a label."), status=422)
        label = _texts(item.get("label", {}), limit=LABEL_MAX_LENGTH, what=_("option"))
        raw = item.get("value", "")
        if not isinstance(raw, str):
            raise DomainError("invalid_choices", _("Each option needs a label."), status=422)
        code = slugify(raw.strip()) or slugify(next(iter(label.values()), ""))
        if not label and not code:
            continue
        if not code or len(code) > 60:
            raise DomainError("invalid_choices", _("Each option needs a label."), status=422)
        cleaned.append({"value": code, "label": label})
    return cleaned


@transaction.atomic
def save_criterion(
    *,
    actor,
    project: Project,
    label: dict,
    kind: str,
    help: dict | None = None,
    code: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    choices: list | None = None,
    active: bool = True,
    criterion_id=None,
) -> EvaluationCriterion:
    """Creates or edits a criterion. Its code (what the scores are keyed by) is set once,
    from the label when not given, and never changes afterwards."""
    require(actor, project, "grid")
    label = _texts(label, limit=LABEL_MAX_LENGTH, what=_("label"))
    if not label:
        raise DomainError("label_required", _("Give the criterion a label."), status=422)
    if kind not in CriterionKind.values:
        raise DomainError("unknown_kind", _("Choose a scale or a choice."), status=422)
    if criterion_id is not None:
        criterion = EvaluationCriterion.objects.filter(project=project, pk=criterion_id).first()
        if criterion is None:
            raise DomainError("not_found", _("No such criterion."), status=404)
    else:
        code = slugify(code or next(iter(label.values())))[:40].strip("-") or "criterion"
        taken = set(
            EvaluationCriterion.objects.filter(project=project).values_list("code", flat=True)
        )
        base, n = code, 2
        while code in taken:
            code, n = f"{base[:36]}-{n}", n + 1
        top = EvaluationCriterion.objects.filter(project=project).aggregate(top=Max("position"))
        criterion = EvaluationCriterion(project=project, code=code, position=(top["top"] or 0) + 1)
    if criterion.pk and criterion.kind != kind and _has_scores(criterion):
        raise DomainError(
            "kind_locked",
            _("This criterion has scores on record: its kind cannot change."),
            status=409,
        )
    criterion.label = label
    criterion.help = _texts(help or {}, limit=HELP_MAX_LENGTH, what=_("help text"))
    criterion.kind = kind
    criterion.active = bool(active)
    if kind == CriterionKind.SCALE:
        criterion.scale_min, criterion.scale_max = _bounds(scale_min, scale_max)
        criterion.choices = []
    else:
        criterion.choices = _choices(choices or [])
    validated(
        criterion,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project"],
    )
    criterion.save()
    return criterion


def _bounds(low, high) -> tuple[int, int]:
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        raise DomainError(
            "invalid_scale", _("A scale goes from one whole number to another."), status=422
        ) from None
    if not (0 <= low < high <= 10):
        raise DomainError(
            "invalid_scale",
            _("A scale goes from 0 or more up to 10 at most, low to high."),
            status=422,
        )
    return low, high


def _has_scores(criterion) -> bool:
    return criterion.project.evaluations.filter(scores__has_key=criterion.code).exists()


@transaction.atomic
def move_criterion(*, actor, project: Project, criterion_id, direction: str) -> None:
    """Moves a criterion one place up or down the grid."""
    require(actor, project, "grid")
    criteria = list(EvaluationCriterion.objects.filter(project=project).select_for_update())
    index = next((i for i, c in enumerate(criteria) if str(c.pk) == str(criterion_id)), None)
    if index is None:
        raise DomainError("not_found", _("No such criterion."), status=404)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if other is None:
        raise DomainError("invalid", _("Move it up or down."), status=400)
    if 0 <= other < len(criteria):
        criteria[index], criteria[other] = criteria[other], criteria[index]
    for position, criterion in enumerate(criteria, start=1):
        if criterion.position != position:
            criterion.position = position
            criterion.save(update_fields=["position"])


@transaction.atomic
def set_criterion_active(*, actor, project: Project, criterion_id, active: bool) -> None:
    require(actor, project, "grid")
    updated = EvaluationCriterion.objects.filter(project=project, pk=criterion_id).update(
        active=bool(active)
    )
    if not updated:
        raise DomainError("not_found", _("No such criterion."), status=404)
