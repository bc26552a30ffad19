"""Residents' contributions and their photos."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.models.projects import Project, Theme
from contributions.vocabulary import (
    DECISION_STATUSES,
    DESCRIPTION_MAX_LENGTH,
    PUBLIC_STATUSES,
    TITLE_MAX_LENGTH,
    Channel,
    Kind,
    LocationPrecision,
    Sentiment,
    Status,
)
from core.postgis import STORAGE_SRID


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
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    geom = models.GeometryField(_("location"), srid=STORAGE_SRID)
    # How much `geom` says about the place (docs/contributions.md); density and hotspots
    # leave commune-only points out.
    location_precision = models.CharField(
        _("location precision"),
        max_length=12,
        choices=LocationPrecision.choices,
        default=LocationPrecision.EXACT,
        db_default="exact",
    )
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
    # The commune the public reads: the commune of the public location (docs/privacy.md), set
    # by the database with public_geom, so a public filter or page never tells more.
    public_commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("public commune"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
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
    # The official answer in the project's main language (what exports and feeds carry), and
    # per language (what the page and each follower's email show, Contribution.answer_here).
    # Written together by the staff's answer services only.
    answer = models.TextField(_("official answer"), blank=True)
    answer_texts = models.JSONField(
        _("official answer per language"), default=dict, blank=True, db_default={}
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ContributionQuerySet.as_manager()

    @property
    def answer_here(self):
        """The answer in the active language, falling back in the project's order."""
        return self.project.answer_in(self.answer_texts, self.answer)

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
