"""Results ("you said, we did"): what the services decided or did in answer to contributions,
with a status, a progress, dated milestones and a place. Written by staff.services.results."""

import uuid

from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contributions.models.contributions import Contribution
from contributions.models.projects import Project
from contributions.vocabulary import ResultStatus
from core.postgis import STORAGE_SRID


class ResultQuerySet(models.QuerySet):
    def of_project(self, project):
        return self.filter(project=project)


class Result(models.Model):
    """A result of a project. Its title and text are per project language ({code: text}, like
    Project.title; Project.answer_in picks a reader's). Its place is the drawn `geom` (a point,
    a line or an area) or, when none is drawn, the union of the public locations of the public
    contributions it answers, computed on read (layers and pages: contributions.results_place)
    so that a contribution hidden later stops shaping it at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    title = models.JSONField(_("title"), default=dict)
    text = models.JSONField(_("text"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ResultStatus.choices, default=ResultStatus.STUDIED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    geom = models.GeometryField(_("place drawn"), srid=STORAGE_SRID, null=True, blank=True)
    contributions = models.ManyToManyField(
        Contribution, verbose_name=_("contributions answered"), related_name="results", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="result_progress_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100), name="result_done_is_complete"
            ),
        ]

    def __str__(self):
        return self.title_here.text or str(self.pk)

    @property
    def title_here(self):
        return self.project.answer_in(self.title)

    @property
    def text_here(self):
        return self.project.answer_in(self.text)

    @property
    def missing_languages(self):
        return self.project.missing_languages(self.title)


class ResultMilestone(models.Model):
    """A dated step of a result, with a text per project language and an optional photo
    (MilestonePhoto)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    text = models.JSONField(_("text"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.text_here.text[:40]}"

    @property
    def text_here(self):
        return self.result.project.answer_in(self.text)


class MilestonePhoto(models.Model):
    """A milestone's photo, checked and re-encoded like residents' photos
    (contributions.photos.process_photo: no metadata kept), in two sizes, under
    results/<result id>/; served while the result exists (mapping.result_views)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    milestone = models.OneToOneField(
        ResultMilestone, on_delete=models.CASCADE, related_name="photo"
    )
    large = models.FileField(upload_to="results/", max_length=200)
    thumbnail = models.FileField(upload_to="results/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")

    def __str__(self):
        return str(self.pk)
