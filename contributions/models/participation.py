"""Taking part around a contribution: votes, comments, its public history, follows and
abuse reports."""

import secrets
import uuid
from functools import partial

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.models.contributions import Contribution
from contributions.vocabulary import (
    COMMENT_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    CommentStatus,
    Status,
)


class Vote(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # "user:<id>" or "email:<digest>" (contributions/participants.py): one vote per participant.
    # Older rows (and the synthetic generator's) may hold "anon:<...>".
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


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
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
    answer_texts = models.JSONField(
        _("answer per language"), default=dict, blank=True, db_default={}
    )
    # Private: the public history names the service, not the person.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    @property
    def answer_here(self):
        return self.contribution.project.answer_in(self.answer_texts, self.answer)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["contribution", "created_at"])]


class Follow(models.Model):
    """Someone to email when the contribution is answered: its author or a follower.

    Only a confirmed follow is emailed (staff.services.emails.followers): its address's owner
    opened a confirmation link, or it is the signed-in person's verified address, or staff
    took it down from the resident. A row without `confirmed_at` receives nothing."""

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
    # When the address's owner confirmed (the record of their consent to these emails).
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

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
    # Anyone's ("anon:<session>" too); only people count towards hiding (report_abuse).
    participant = models.CharField(max_length=80)
    reason = models.TextField(_("reason"), max_length=REPORT_REASON_MAX_LENGTH, blank=True)
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
