"""The staff workspace: who may do what in which project, the moderation log, answer
templates and cookie-less visit counts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MODERATOR = "moderator", _("moderator")
    ANALYST = "analyst", _("analyst")
    MANAGER = "manager", _("manager")


class ProjectRole(models.Model):
    """A person's role in one project; roles are per project, never global."""

    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="staff_roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project role")
        verbose_name_plural = _("project roles")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_role_per_project_user")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.project.slug}"


class Action(models.TextChoices):
    PUBLISH = "publish", _("published")
    HIDE = "hide", _("hidden")
    STATUS = "status", _("status and answer")
    DUPLICATE = "duplicate", _("marked as duplicate")
    RECORD = "record", _("entered on a resident's behalf")
    MOVE = "move", _("moved on the map")
    UNDO = "undo", _("last decision undone")
    RESULT = "result", _("result recorded or changed")
    MILESTONE = "milestone", _("result milestone added")
    EVALUATE = "evaluate", _("proposal evaluated")
    DECIDE = "decide", _("meeting decision recorded")
    PARTNER = "partner_edit", _("partner project written")
    VOTE_PERIOD = "vote_period", _("partner vote opened or closed")
    SURVEY = "survey", _("questionnaire written")


class Target(models.TextChoices):
    CONTRIBUTION = "contribution", _("contribution")
    COMMENT = "comment", _("comment")
    RESULT = "result", _("result")
    EVALUATION = "evaluation", _("evaluation")
    DECISION = "decision", _("decision")
    PARTNER = "partner_proj", _("partner project")
    PROJECT = "project", _("project")
    SURVEY = "survey", _("questionnaire")
    RESPONSE = "response", _("questionnaire response")


class AuditEntryQuerySet(models.QuerySet):
    def of_project(self, project):
        return self.filter(project=project)

    def about(self, target_id):
        return self.filter(target_id=target_id)


class ImmutableError(Exception):
    pass


class AuditEntry(models.Model):
    """One staff decision: who, when, what, why. Written once; the database refuses any
    UPDATE or DELETE (trigger staff_auditentry_immutable), so nobody can rewrite history."""

    # PROTECT: a project or a person with decisions on record cannot vanish from under them.
    project = models.ForeignKey(
        "contributions.Project", on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_entries"
    )
    # What the actor was called then, should the account be renamed later.
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    target_type = models.CharField(_("item"), max_length=12, choices=Target.choices)
    # Plain ids, not foreign keys: the log outlives the items it speaks of.
    # Empty for what has no UUID of its own (a project's vote period, a questionnaire).
    target_id = models.UUIDField(_("item id"), null=True, blank=True)
    target_title = models.CharField(_("item title"), max_length=140, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["target_id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("An audit entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("An audit entry cannot be deleted.")


class AnswerTemplate(models.Model):
    """A reusable answer, per project, with a text per project language: staff pick it and
    adapt it before sending."""

    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="answer_templates"
    )
    name = models.CharField(_("name"), max_length=80)
    texts = models.JSONField(_("answer per language"), default=dict)
    status = models.CharField(
        _("status it goes with"),
        max_length=20,
        blank=True,
        help_text=_("optional: the status this answer usually comes with"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="answer_template_name")
        ]

    def __str__(self):
        return self.name

    @property
    def text_here(self):
        return self.project.answer_in(self.texts)

    @property
    def missing_languages(self):
        return self.project.missing_languages(self.texts)


class VisitSalt(models.Model):
    """Today's random salt for visit hashes. Kept only until the day ends, then deleted, after
    which nobody (not even the database's owner) can tell whose visit a hash was."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return str(self.day)


class DailyVisit(models.Model):
    """One visitor of a project's page on one day, as a salted hash: no cookie, no IP stored.
    What the visit led to that day is marked on it, so a conversion is a share of these rows
    and stays between 0 and 100% (docs/figures.md)."""

    project = models.ForeignKey(
        "contributions.Project", on_delete=models.CASCADE, related_name="daily_visits"
    )
    day = models.DateField()
    visitor_hash = models.CharField(max_length=64)
    # The visitor submitted a contribution to the project that day (from the web).
    contributed = models.BooleanField(default=False, db_default=False)
    # The visitor created an account that day.
    signed_up = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("daily visit")
        verbose_name_plural = _("daily visits")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "day", "visitor_hash"], name="one_visit_per_visitor_day"
            )
        ]

    def __str__(self):
        return f"{self.project_id} {self.day}"
