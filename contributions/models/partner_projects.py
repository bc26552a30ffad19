"""Projects the partners put to the residents' vote: the partners write them up (texts per
project language, photos, a place, a theme, a cost band), the residents vote on each during
the project's partner vote period (for/against or a 1-5 rating, as the project chooses), and
the partners publish each one's outcome. Written by contributions.services.partner_projects;
the figures are contributions.partner_figures, the coverage contributions.partner_coverage."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contributions.models.projects import PartnerVoteMode, Project, ProjectPartner, Theme
from contributions.models.results import Result
from contributions.vocabulary import COMMENT_MAX_LENGTH, Channel
from core.postgis import STORAGE_SRID


class CostBand(models.TextChoices):
    UNDER_100K = "under_100k", _("under €100,000")
    FROM_100K_TO_500K = "100k_500k", _("€100,000 to €500,000")
    FROM_500K_TO_2M = "500k_2m", _("€500,000 to €2 million")
    OVER_2M = "over_2m", _("over €2 million")


class Outcome(models.TextChoices):
    NONE = "", _("not decided yet")
    KEPT = "kept", _("kept")
    CHANGED = "changed", _("changed")
    DROPPED = "dropped", _("dropped")


# The values a vote may take, per mode (the service refuses any other: invalid_vote_value).
VOTE_VALUES = {PartnerVoteMode.FOR_AGAINST: (1, -1), PartnerVoteMode.RATING: (1, 2, 3, 4, 5)}
# Participant keys of ballots entered by staff (paper, workshop, phone): one per ballot, so
# they never collide with residents' ("user:", "email:").
BALLOT_PREFIX = "ballot:"


class PartnerProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def of_project(self, project):
        return self.filter(project=project)


class PartnerProject(models.Model):
    """A project the partners put to the vote. Titles, descriptions, timelines and outcome
    answers are per project language ({code: text}, Project.answer_in picks a reader's)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partner_projects")
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    location = models.GeometryField(_("place"), srid=STORAGE_SRID)
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="partner_projects"
    )
    partner = models.ForeignKey(
        ProjectPartner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_projects",
    )
    cost_band = models.CharField(
        _("estimated cost"), max_length=12, choices=CostBand.choices, blank=True
    )
    timeline = models.JSONField(_("timeline"), default=dict, blank=True)
    links = models.JSONField(_("links to documents"), default=list, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    outcome_answer = models.JSONField(_("answer on the outcome"), default=dict, blank=True)
    result = models.ForeignKey(
        Result,
        verbose_name=_("result (you said, we did)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_projects",
    )
    published = models.BooleanField(_("published"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PartnerProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner project")
        verbose_name_plural = _("partner projects")
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["project", "published", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(location__isvalid=True), name="partner_project_location_valid"
            ),
        ]

    def __str__(self):
        return self.title_here.text or str(self.pk)

    @property
    def title_here(self):
        return self.project.answer_in(self.title)

    @property
    def description_here(self):
        return self.project.answer_in(self.description)

    @property
    def timeline_here(self):
        return self.project.answer_in(self.timeline)

    @property
    def outcome_answer_here(self):
        return self.project.answer_in(self.outcome_answer)


class PartnerProjectPhoto(models.Model):
    """A partner project's photo, checked and re-encoded like residents' photos
    (contributions.photos.process_photo: no metadata kept), in two sizes under
    partner_projects/<partner project id>/, with its credit and alternative text per
    language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner_project = models.ForeignKey(
        PartnerProject, on_delete=models.CASCADE, related_name="photos"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    image = models.FileField(upload_to="partner_projects/", max_length=200)
    thumbnail = models.FileField(upload_to="partner_projects/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    alt = models.JSONField(_("alternative text"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("partner project photo")
        verbose_name_plural = _("partner project photos")
        ordering = ["position", "id"]

    def __str__(self):
        return str(self.pk)

    @property
    def alt_here(self):
        return self.project.answer_in(self.alt)


class PartnerVote(models.Model):
    """One participant's vote on a partner project: +1/-1 (for/against) or 1 to 5 (rating),
    by the project's mode; changed, never doubled, until the period closes. `participant`
    follows contributions.participants ("user:<id>", "email:<digest>"); ballots entered by
    staff get a "ballot:<uuid>" of their own."""

    partner_project = models.ForeignKey(
        PartnerProject, on_delete=models.CASCADE, related_name="votes"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    participant = models.CharField(max_length=80)
    # Erasing an account erases its votes, as for contributions' votes (Vote.user).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="partner_votes",
    )
    value = models.SmallIntegerField(_("vote"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner project vote")
        verbose_name_plural = _("partner project votes")
        constraints = [
            models.UniqueConstraint(
                fields=["partner_project", "participant"], name="one_partner_vote_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=-1) & Q(value__lte=5) & ~Q(value=0),
                name="partner_vote_value_range",
            ),
        ]
        indexes = [models.Index(fields=["project", "participant"])]

    def __str__(self):
        return f"{self.partner_project_id} {self.value:+d}"
