"""Projects (participatory processes), their themes, and residents' contributions."""

import secrets
import uuid
from functools import partial

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.postgis import STORAGE_SRID


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    REPORT = "report", _("report of a problem")
    OBSERVATION = "observation", _("observation")


# The sign each kind wears on the map and in lists (beside its colour, never instead of it).
KIND_GLYPHS = {Kind.PROPOSAL: "+", Kind.REPORT: "!", Kind.OBSERVATION: "i"}


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    WORKSHOP = "workshop", _("workshop")
    PAPER = "paper", _("paper")
    PHONE = "phone", _("phone")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting moderation")
    PUBLISHED = "published", _("published")
    UNDER_REVIEW = "under_review", _("under review")
    ACCEPTED = "accepted", _("accepted")
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("duplicate")
    HIDDEN = "hidden", _("hidden")


# What the public may see: everything moderation has let through.
PUBLIC_STATUSES = [s for s in Status.values if s not in (Status.SUBMITTED, Status.HIDDEN)]

# The statuses an official answer may set ("under review" tells the resident it is read).
ANSWER_STATUSES = [
    Status.UNDER_REVIEW,
    Status.ACCEPTED,
    Status.PLANNED,
    Status.DONE,
    Status.REJECTED,
]
# Statuses that are themselves a decision, so a contribution holding one counts as answered
# even without a written answer (an import, a bulk decision).
DECISION_STATUSES = [Status.ACCEPTED, Status.PLANNED, Status.DONE, Status.REJECTED]

# The column every public output reads for the location: the exact `geom` generalised by the
# project's location rules, kept by the database (docs/privacy.md). The exact `geom` is for
# staff.
PUBLIC_GEOM = "public_geom"


def answered_sql(alias: str = "c") -> tuple[str, list]:
    """ "Answered" for raw SQL over contributions_contribution AS `alias`: the same rule as
    ContributionQuerySet.answered(), as a condition and its parameters."""
    return (
        f"({alias}.answered_at IS NOT NULL OR {alias}.status = ANY(%s))",
        [[str(status) for status in DECISION_STATUSES]],
    )


class ModerationMode(models.TextChoices):
    BEFORE = "before", _("before publication")
    AFTER = "after", _("after publication")


class ParticipationLevel(models.TextChoices):
    INFORM = "inform", _("inform")
    CONSULT = "consult", _("consult")
    INVOLVE = "involve", _("involve")
    COLLABORATE = "collaborate", _("collaborate")
    EMPOWER = "empower", _("empower")


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
        help_text=_("An item reported this many times is hidden until a moderator reviews it."),
    )
    duplicate_distance_m = models.FloatField(
        _("distance for possible duplicates (m)"),
        default=150.0,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
    )
    terms_version = models.CharField(_("version of the terms"), max_length=20, default="1")
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
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return localized(self.title) or self.slug

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return (self.opens_at is None or self.opens_at <= moment) and (
            self.closes_at is None or moment < self.closes_at
        )


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


class ContributionQuerySet(models.QuerySet):
    def public(self):
        """What anyone may read: moderated through, never hidden."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def of_project(self, project):
        return self.filter(project=project)

    def answered(self):
        """Answered: an official answer was given (it sets answered_at), or the status is
        itself a decision. The one definition every figure uses (answered_sql in raw SQL)."""
        return self.filter(Q(answered_at__isnull=False) | Q(status__in=DECISION_STATUSES))


class Contribution(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, default=""
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="contributions")
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    geom = models.GeometryField(_("location"), srid=STORAGE_SRID)
    # What every public output shows: `geom` generalised by the project's location rules
    # (privacy), set by the database on every write (so raw-SQL bulk inserts get it too).
    # docs/privacy.md
    public_geom = models.GeometryField(
        _("public location"), srid=STORAGE_SRID, null=True, blank=True, editable=False
    )
    # Attributed on write (by the database when not given) and never rewritten afterwards.
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    email = models.EmailField(_("email for the answer (private)"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The language the author wrote in: answers reach them in it.
    language = models.CharField(_("language"), max_length=8, blank=True, db_default="")
    consent_at = models.DateTimeField(_("consent to the terms given at"), null=True, blank=True)
    terms_version = models.CharField(
        _("version of the terms consented to"), max_length=20, blank=True, db_default=""
    )
    # Staff who entered it on a resident's behalf (workshop, paper, phone); private.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_contributions",
    )
    report_count = models.PositiveIntegerField(_("abuse reports"), default=0, db_default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    answer = models.TextField(_("official answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at"]
        indexes = [
            # The public list walks these in order and stops at the page's end; its count is
            # an index-only scan of the first.
            models.Index(
                fields=["project", "-created_at", "id"],
                condition=Q(status__in=PUBLIC_STATUSES),
                name="contribution_public_recent",
            ),
            models.Index(
                fields=["project", "-vote_count", "id"],
                condition=Q(status__in=PUBLIC_STATUSES),
                name="contribution_public_votes",
            ),
            models.Index(fields=["project", "status", "-created_at"]),
            models.Index(fields=["project", "theme"]),
            models.Index(fields=["commune"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=Kind.OBSERVATION) & ~Q(sentiment=""))
                | (~Q(kind=Kind.OBSERVATION) & Q(sentiment="")),
                name="contribution_sentiment_only_for_observations",
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="contribution_geom_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES


# The most photos one contribution carries: the API, the service and the page agree.
MAX_PHOTOS = 3


class Photo(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    # Files live under contributions/<contribution id>/: the service names them with that
    # sub-path (no upload_to callable, which migrations would have to import).
    large = models.FileField(upload_to="contributions/", max_length=200)
    thumbnail = models.FileField(upload_to="contributions/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position"]


class Vote(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # "user:<id>" or "anon:<session hash>": one vote per participant, whoever they are.
    participant = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "participant"], name="one_vote_per_participant"
            )
        ]


class CommentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting moderation")
    PUBLISHED = "published", _("published")
    HIDDEN = "hidden", _("hidden")


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField(_("comment"), max_length=3000)
    status = models.CharField(max_length=10, choices=CommentStatus.choices)
    report_count = models.PositiveIntegerField(_("abuse reports"), default=0, db_default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["contribution", "status", "created_at"])]


class StatusChange(models.Model):
    """The contribution's public history: every status it went through, with the answer given."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    answer = models.TextField(_("answer"), blank=True)
    # Private: the public history names the service, not the person.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["contribution", "created_at"])]


class Follow(models.Model):
    """Someone to email when the contribution is answered: its author or a follower."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="follows")
    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Lets the follower stop following from the email, without an account.
    token = models.CharField(
        max_length=64, unique=True, default=partial(secrets.token_urlsafe, 24), editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "email"], name="one_follow_per_email")
        ]


class AbuseReport(models.Model):
    """A resident's "report abuse" on a contribution or one of its comments."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="abuse_reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="abuse_reports"
    )
    participant = models.CharField(max_length=80)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "comment", "participant"],
                nulls_distinct=False,
                name="one_report_per_participant",
            )
        ]


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed on retries."""

    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_per_scope")
        ]


_KEY_READ_ONLY = "contributions_location_key is read-only: only its migration writes it."


class _ReadOnlyQuerySet(models.QuerySet):
    def _refuse(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)

    update = delete = bulk_create = bulk_update = _refuse


class LocationKey(models.Model):
    """The database-held random key of the offset location rule (contributions 0007).

    Whoever knows it can undo the offsets: read-only here, never in the admin, never shown.
    """

    # The table has no id column: its single value stands in as the primary key for the ORM.
    key = models.TextField(primary_key=True, editable=False)

    objects = _ReadOnlyQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "contributions_location_key"
        default_permissions = ()

    def __str__(self):
        return "location key"  # never the key itself (logs, error pages)

    def save(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)

    def delete(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)
