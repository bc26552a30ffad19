"""Evaluating residents' proposals for the partners' meeting: the project's grid of criteria,
each evaluator's private scores, the meetings and the decisions taken there. All of it is
private to staff: no public page, API, feed or open export reads these tables."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized


class CriterionKind(models.TextChoices):
    SCALE = "scale", _("scale")
    CHOICE = "choice", _("choice")


class CriterionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class EvaluationCriterion(models.Model):
    """One line of a project's evaluation grid: a scale (scale_min..scale_max) or a choice
    among `choices` ([{"value": ..., "label": {lang: text}}, ...])."""

    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="evaluation_criteria"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    label = models.JSONField(_("label"), default=dict, help_text=_("per language"))
    help = models.JSONField(_("help"), default=dict, blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=CriterionKind.choices, default=CriterionKind.SCALE
    )
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation grid")
        ordering = ["project", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="criterion_code_per_project"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_order"
            ),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self):
        return localized(self.label) or self.code

    @property
    def display_help(self):
        return localized(self.help or {})

    @property
    def is_scale(self):
        return self.kind == CriterionKind.SCALE

    def choice_values(self) -> list:
        return [str(choice.get("value", "")) for choice in self.choices or []]

    def choice_label(self, value) -> str:
        for choice in self.choices or []:
            if str(choice.get("value")) == str(value):
                return localized(choice.get("label") or {}) or str(value)
        return "" if value in (None, "") else str(value)

    def options(self) -> list[tuple[str, str]]:
        """(value, label in the reader's language) for each option of a choice."""
        return [(value, self.choice_label(value)) for value in self.choice_values()]

    def scale_values(self) -> list:
        return list(range(self.scale_min, self.scale_max + 1))

    def clean(self):
        super().clean()
        if self.kind == CriterionKind.SCALE and self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("The highest score must exceed the lowest.")})
        if self.kind == CriterionKind.CHOICE:
            values = self.choice_values() if isinstance(self.choices, list) else []
            if (
                not isinstance(self.choices, list)
                or len(values) < 2
                or not all(values)
                or len(set(values)) != len(values)
            ):
                raise ValidationError(
                    {"choices": _("A choice needs at least two distinct options.")}
                )


class Evaluation(models.Model):
    """One evaluator's scores and private notes on one proposal. `partner` is the partner the
    evaluator speaks for at the meeting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="evaluations"
    )
    contribution = models.ForeignKey(
        "contributions.Contribution", on_delete=models.CASCADE, related_name="evaluations"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    partner = models.ForeignKey(
        "contributions.ProjectPartner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    notes = models.TextField(_("private notes"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "evaluator"], name="one_evaluation_per_evaluator"
            )
        ]
        indexes = [models.Index(fields=["project", "contribution"])]

    def __str__(self):
        return f"{self.evaluator} – {self.contribution_id}"


class Meeting(models.Model):
    """A partners' meeting: it decides on the proposals submitted between period_start and
    period_end (both included)."""

    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("meeting date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    period_start = models.DateField(_("proposals from"))
    period_end = models.DateField(_("proposals until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="meetings_created",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="meeting_period_order",
            )
        ]

    def __str__(self):
        return self.title or f"{self.date:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class Outcome(models.TextChoices):
    KEPT = "kept", _("kept")
    TO_STUDY = "to_study", _("to study")
    NOT_KEPT = "not_kept", _("not kept")
    MERGED = "merged", _("merged")


class Decision(models.Model):
    """What a meeting decided on one proposal, and the public answer that went with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="decisions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    contribution = models.ForeignKey(
        "contributions.Contribution", on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    merged_into = models.ForeignKey(
        "contributions.Contribution",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_decisions",
    )
    answer_texts = models.JSONField(_("answer per language"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "contribution"], name="one_decision_per_meeting"
            ),
        ]

    def __str__(self):
        return f"{self.meeting} – {self.get_outcome_display()}"
