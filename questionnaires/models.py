"""Map questionnaires: a project's questions, answered by choosing, writing or drawing.

A questionnaire has pages of questions; a response (its UUID is the pseudonymous response id
every export keys on) holds one Answer per non-map question answered and one MapAnswer per
point, line or area drawn. Every answer table carries project_id (Citus co-location,
docs/scaling.md). Texts are JSON per language, read through Project.answer_in.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.vocabulary import Channel
from core.postgis import STORAGE_SRID

# The longest texts: a question's own texts, a resident's short and long answers, a comment
# on a map answer. Services, forms and the answering page read them here.
QUESTION_TEXT_MAX_LENGTH = 500
SHORT_TEXT_MAX_LENGTH = 200
LONG_TEXT_MAX_LENGTH = 5000
MAP_COMMENT_MAX_LENGTH = 1000
# Most map answers one question takes (whatever its own max_count says) and most choices.
MAX_MAP_ANSWERS = 50
MAX_CHOICES = 50


class Kind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("one choice")
    MULTI_CHOICE = "multi_choice", _("several choices")
    SCALE = "scale", _("scale")
    SHORT_TEXT = "short_text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    NUMBER = "number", _("number")
    MAP_POINT = "map_point", _("points on the map")
    MAP_LINE = "map_line", _("lines on the map")
    MAP_AREA = "map_area", _("areas on the map")


CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTI_CHOICE)
MAP_KINDS = (Kind.MAP_POINT, Kind.MAP_LINE, Kind.MAP_AREA)
TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
# The GeoJSON geometry type each map question takes.
GEOMETRY_TYPES = {Kind.MAP_POINT: "Point", Kind.MAP_LINE: "LineString", Kind.MAP_AREA: "Polygon"}


class QuestionnaireQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Questionnaire(models.Model):
    project = models.ForeignKey(
        "contributions.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.JSONField(_("title"), default=dict, help_text=_("per language"))
    intro = models.JSONField(_("introduction"), default=dict, blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    allow_anonymous = models.BooleanField(
        _("answers without signing in"),
        default=False,
        help_text=_("Only where the project itself allows anonymous participation."),
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["project", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="questionnaire_slug_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="questionnaire_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.project.answer_in(self.title).text or self.slug

    def is_open(self, moment=None) -> bool:
        """Within its dates (publication is a separate switch: `published`)."""
        moment = moment or timezone.now()
        return (self.opens_at is None or self.opens_at <= moment) and (
            self.closes_at is None or moment < self.closes_at
        )

    @property
    def anonymous_allowed(self) -> bool:
        """Answers without an account: the questionnaire allows them and so does its project."""
        return self.allow_anonymous and self.project.allow_anonymous

    def ordered_questions(self):
        """Its questions in answering order: page by page, then by position."""
        return self.questions.select_related("page").order_by("page__position", "position", "pk")

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing date must come after the opening.")})


class QuestionPage(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="pages")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.JSONField(_("title"), default=dict, blank=True)

    class Meta:
        verbose_name = _("page of questions")
        verbose_name_plural = _("pages of questions")
        ordering = ["questionnaire", "position", "pk"]

    def __str__(self):
        return self.questionnaire.project.answer_in(self.title).text or f"{self.position + 1}"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    page = models.ForeignKey(QuestionPage, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_("Short name, used as the column or layer name of exports."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    text = models.JSONField(_("question"), default=dict)
    help = models.JSONField(_("help"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_labels = models.JSONField(_("scale labels"), default=dict, blank=True)
    number_min = models.FloatField(_("smallest number"), null=True, blank=True)
    number_max = models.FloatField(_("largest number"), null=True, blank=True)
    min_count = models.PositiveSmallIntegerField(
        _("fewest drawings"), default=0, validators=[MaxValueValidator(MAX_MAP_ANSWERS)]
    )
    max_count = models.PositiveSmallIntegerField(
        _("most drawings"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MAP_ANSWERS)],
    )
    max_length_m = models.FloatField(
        _("longest line (m)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_area_m2 = models.FloatField(
        _("largest area (m²)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    inside_perimeter = models.BooleanField(_("inside the perimeter"), default=True)
    personal = models.BooleanField(
        _("personal"),
        default=False,
        help_text=_("Results are shown only for groups of at least 5 responses."),
    )
    condition = models.JSONField(_("shown only if"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "page__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_map(self) -> bool:
        return self.kind in MAP_KINDS

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def geometry_type(self) -> str | None:
        """The GeoJSON type of its answers (Point, LineString, Polygon), None if not a map one."""
        return GEOMETRY_TYPES.get(self.kind)

    @property
    def choice_values(self) -> list:
        return [c.get("value") for c in self.choices if isinstance(c, dict)]

    def sort_key(self):
        return (self.page.position, self.position, self.pk or 0)

    def clean(self):
        super().clean()
        errors = {}
        if not isinstance(self.text, dict) or not any(
            isinstance(t, str) and t.strip() for t in self.text.values()
        ):
            errors["text"] = _("Write the question in at least one language.")
        if self.is_choice:
            problem = _choices_problem(self.choices)
            if problem:
                errors["choices"] = problem
        if self.kind == Kind.SCALE and not (0 < self.scale_max - self.scale_min <= 10):
            errors["scale_max"] = _("A scale goes up from its start by 1 to 10 steps.")
        if (
            self.number_min is not None
            and self.number_max is not None
            and self.number_min > self.number_max
        ):
            errors["number_max"] = _("The largest number cannot be below the smallest.")
        if self.is_map and self.min_count > self.max_count:
            errors["max_count"] = _("The most drawings cannot be fewer than the fewest.")
        if self.condition is not None:
            problem = self._condition_problem()
            if problem:
                errors["condition"] = problem
        if errors:
            raise ValidationError(errors)

    def _condition_problem(self):
        """Why the condition cannot hold, or None: it names an earlier choice question of the
        same questionnaire and some of its choice values."""
        condition = self.condition
        if not isinstance(condition, dict) or set(condition) != {"question", "values"}:
            return _("A condition names a question and some of its choices.")
        values = condition["values"]
        if not isinstance(values, list) or not values:
            return _("Pick at least one answer that shows this question.")
        earlier = (
            Question.objects.filter(
                questionnaire_id=self.questionnaire_id, code=condition["question"]
            )
            .exclude(pk=self.pk)
            .select_related("page")
            .first()
            if isinstance(condition["question"], str)
            else None
        )
        if earlier is None or not earlier.is_choice:
            return _("A condition depends on a choice question of this questionnaire.")
        if self.page_id and earlier.sort_key() >= (self.page.position, self.position, self.pk or 0):
            return _("A condition depends on a question that comes before this one.")
        if not set(map(str, values)) <= set(earlier.choice_values) or len(set(values)) != len(
            values
        ):
            return _("The condition's answers must be choices of %(code)s.") % {
                "code": earlier.code
            }
        return None


def _choices_problem(choices):
    """Why a choice list is not usable, or None: 1 to MAX_CHOICES choices, each a distinct
    value (a slug-like string) with its labels per language."""
    if not isinstance(choices, list) or not choices:
        return _("A choice question offers at least one choice.")
    if len(choices) > MAX_CHOICES:
        return _("A question offers at most %(n)d choices.") % {"n": MAX_CHOICES}
    seen = set()
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
            return _("Each choice has a value and its labels.")
        value = choice["value"]
        if not value or len(value) > 60 or value in seen:
            return _("Each choice has its own value, 1 to 60 characters.")
        seen.add(value)
        label = choice.get("label")
        if not isinstance(label, dict) or not any(
            isinstance(t, str) and t.strip() for t in label.values()
        ):
            return _("Each choice has a label in at least one language.")
    return None


class Response(models.Model):
    # The pseudonymous response id: exports key on it; it names no one.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    project = models.ForeignKey("contributions.Project", on_delete=models.CASCADE, related_name="+")
    # Erasing a person (privacy.services) deletes their responses with them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
    )
    # "user:<id>" like contributions.participants, for one response per person; "" when
    # anonymous or entered by staff from paper.
    participant = models.CharField(max_length=100, blank=True, default="")
    client_key = models.CharField(max_length=100)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune of residence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire_responses_entered",
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "client_key"], name="response_client_key_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "participant"],
                condition=~Q(participant=""),
                name="response_one_per_participant",
            ),
        ]
        indexes = [models.Index(fields=["project", "questionnaire"], name="response_project")]

    def __str__(self):
        return str(self.pk)


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    project = models.ForeignKey("contributions.Project", on_delete=models.CASCADE, related_name="+")
    value = models.JSONField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
        ]
        indexes = [models.Index(fields=["project", "question"], name="answer_project_question")]


class MapAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="map_answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="map_answers")
    project = models.ForeignKey("contributions.Project", on_delete=models.CASCADE, related_name="+")
    geometry = models.GeometryField(srid=STORAGE_SRID, spatial_index=True)
    comment = models.TextField(
        _("comment"), blank=True, default="", max_length=MAP_COMMENT_MAX_LENGTH
    )
    commune = models.ForeignKey(
        "territories.Territory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("map answer")
        verbose_name_plural = _("map answers")
        ordering = ["response", "question", "position"]
        indexes = [
            models.Index(fields=["project", "question"], name="mapanswer_project_question"),
        ]
