"""Projects (participatory processes) and their themes."""

from functools import partial

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.logos import reencoded, validate_logo
from contributions.vocabulary import (
    Kind,
    ModerationMode,
    ParticipationLevel,
)
from core.i18n import FALLBACK_ORDER, localized, localized_in

SITE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class VoteIdentity(models.TextChoices):
    """Who may vote: one vote per account, or also one per address confirmed by a link."""

    ACCOUNT = "account", _("a signed-in account")
    ACCOUNT_OR_EMAIL = (
        "account_or_email",
        _("a signed-in account or an email address confirmed by a link"),
    )


class PartnerVoteMode(models.TextChoices):
    """How residents vote on the partners' projects (contributions.models.partner_projects)."""

    FOR_AGAINST = "for_against", _("for or against")
    RATING = "rating", _("a rating from 1 to 5")


class PartnerVoteState(models.TextChoices):
    NOT_SET = "not_set", _("no voting period set")
    UPCOMING = "upcoming", _("not open yet")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ProjectQuerySet(models.QuerySet):
    def open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=moment),
            Q(closes_at__isnull=True) | Q(closes_at__gt=moment),
        )


class Project(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.JSONField(_("title"), default=dict, help_text=_("per language: fr, it, en"))
    description = models.JSONField(_("description"), default=dict, blank=True)
    perimeter = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("perimeter"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"kind": "perimeter", "valid_until__isnull": True},
    )
    tolerance_m = models.FloatField(
        _("containment tolerance (m)"),
        default=25.0,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    kinds = ArrayField(
        models.CharField(max_length=20, choices=Kind.choices),
        verbose_name=_("accepted kinds"),
        # A builtin with the kinds as data (not a function of this module), so migrations
        # record the list itself and never import this file.
        default=partial(list, Kind.values),
    )
    # The languages the project speaks to residents in, the first its main one: each public
    # answer is written in each of them, and a reader whose language is missing reads the
    # first of these that has a text (Project.answer_order).
    languages = ArrayField(
        models.CharField(max_length=5, choices=settings.LANGUAGES),
        verbose_name=_("languages of the answers"),
        default=partial(list, SITE_LANGUAGES),
        help_text=_("the first one is the project's main language"),
    )
    allow_lines = models.BooleanField(_("lines allowed"), default=False)
    allow_polygons = models.BooleanField(_("areas allowed"), default=False)
    max_line_length_m = models.FloatField(_("longest line (m)"), default=5_000)
    max_polygon_area_m2 = models.FloatField(_("largest area (m²)"), default=1_000_000)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=ModerationMode.choices, default=ModerationMode.AFTER
    )
    allow_anonymous = models.BooleanField(_("anonymous contributions allowed"), default=True)
    participation_level = models.CharField(
        _("participation level"),
        max_length=12,
        choices=ParticipationLevel.choices,
        default=ParticipationLevel.CONSULT,
    )
    promise = models.JSONField(
        _("promise to participants"),
        default=dict,
        blank=True,
        help_text=_("what will be done with contributions, per language"),
    )
    target_contributions = models.PositiveIntegerField(_("target contributions"), default=100)
    publishes_open_data = models.BooleanField(
        _("publishes open data"),
        default=False,
        help_text=_("Anyone may download the published contributions, without personal data."),
    )
    open_data_licence = models.CharField(_("open data licence"), max_length=40, default="ODbL-1.0")
    report_threshold = models.PositiveSmallIntegerField(
        _("reports before hiding"),
        default=3,
        help_text=_(
            "An item reported by this many signed-in people is hidden until a moderator "
            "reviews it (never one that is answered or planned; 0: never)."
        ),
    )
    vote_identity = models.CharField(
        _("who may vote"),
        max_length=20,
        choices=VoteIdentity.choices,
        default=VoteIdentity.ACCOUNT,
        help_text=_("One vote per account, and per confirmed address when emails are allowed."),
    )
    duplicate_distance_m = models.FloatField(
        _("distance for possible duplicates (m)"),
        default=150.0,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
    )
    terms_version = models.CharField(_("version of the terms"), max_length=20, default="1")
    # The vote on the partners' projects: open when both dates are set and now is within.
    partner_vote_mode = models.CharField(
        _("vote on the partners' projects"),
        max_length=12,
        choices=PartnerVoteMode.choices,
        default=PartnerVoteMode.FOR_AGAINST,
    )
    partner_vote_opens_at = models.DateTimeField(_("partner vote opens at"), null=True, blank=True)
    partner_vote_closes_at = models.DateTimeField(
        _("partner vote closes at"), null=True, blank=True
    )
    partner_ranking_live = models.BooleanField(
        _("ranking shown while the vote is open"),
        default=False,
        help_text=_("Otherwise the ranking is public once the vote closes."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="project_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(partner_vote_closes_at__isnull=True)
                | Q(partner_vote_opens_at__isnull=True)
                | Q(partner_vote_closes_at__gt=models.F("partner_vote_opens_at")),
                name="project_partner_vote_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return localized(self.title) or self.slug

    @property
    def main_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE

    @property
    def answer_order(self) -> tuple:
        """Where a reader's language has no text: the project's languages in their order,
        then the site's."""
        return (*self.languages, *FALLBACK_ORDER)

    def answer_texts(self, texts: dict) -> dict:
        """`texts` reduced to the project's languages, in their order, without empty ones."""
        cleaned = {code: (texts.get(code) or "").strip() for code in self.languages}
        return {code: text for code, text in cleaned.items() if text}

    def missing_languages(self, texts: dict) -> list:
        return [code for code in self.languages if not (texts.get(code) or "").strip()]

    def answer_in(self, texts: dict, answer: str = "", language=None):
        """An answer for a reader (Localized: the text and the language it is in). An answer
        recorded with one text only (`answer`, no `texts`) is in the main language."""
        if not texts and answer:
            texts = {self.main_language: answer}
        return localized_in(texts, language, self.answer_order)

    def clean(self):
        super().clean()
        known = set(SITE_LANGUAGES)
        if not self.languages or len(set(self.languages)) != len(self.languages):
            raise ValidationError({"languages": _("List each language once, at least one.")})
        if not set(self.languages) <= known:
            raise ValidationError(
                {"languages": _("Choose among: %(codes)s.") % {"codes": ", ".join(SITE_LANGUAGES)}}
            )

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return (self.opens_at is None or self.opens_at <= moment) and (
            self.closes_at is None or moment < self.closes_at
        )

    def partner_vote_is_open(self, moment=None) -> bool:
        """The vote on the partners' projects is open: both dates set, now within them."""
        return self.partner_vote_state(moment) == PartnerVoteState.OPEN

    def partner_vote_state(self, moment=None) -> str:
        """ "not_set" | "upcoming" | "open" | "closed" (PartnerVoteState)."""
        opens, closes = self.partner_vote_opens_at, self.partner_vote_closes_at
        if opens is None or closes is None:
            return PartnerVoteState.NOT_SET
        moment = moment or timezone.now()
        if moment < opens:
            return PartnerVoteState.UPCOMING
        if moment < closes:
            return PartnerVoteState.OPEN
        return PartnerVoteState.CLOSED


class Theme(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="themes")
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.JSONField(_("name"), default=dict)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6feb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #1f6feb."))],
    )
    icon = models.CharField(_("icon"), max_length=40, default="marker")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="theme_slug_per_project")
        ]

    def __str__(self):
        return localized(self.name) or self.slug


class ProjectPartner(models.Model):
    """A partner of the project (a commune, a province, a programme), named with its logo on
    the diagnostic's title page. Logos are checked and re-encoded (contributions.logos)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    logo = models.ImageField(
        _("logo"),
        upload_to="partners/",
        blank=True,
        max_length=200,
        help_text=_("PNG, JPEG or WebP, at most 2 MB; stored as a PNG of at most 800 pixels."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        # Checked here rather than as a field validator, which migrations would have to
        # import: a new upload must be an image `reencoded` accepts.
        super().clean()
        if self.logo and not self.logo._committed:
            try:
                validate_logo(self.logo)
            except ValidationError as error:
                raise ValidationError({"logo": error.messages}) from error

    def save(self, *args, **kwargs):
        # A new upload is stored re-encoded, never as sent (contributions.logos).
        if self.logo and not self.logo._committed:
            self.logo = reencoded(self.logo, name=self.name)
        super().save(*args, **kwargs)
