"""Moderation: publishing or hiding contributions and comments, reviewing their reports, and
the reasons a moderator gives."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions.models import (
    PUBLIC_STATUSES,
    AbuseReport,
    Comment,
    CommentStatus,
    Contribution,
    Project,
    Status,
    StatusChange,
)
from contributions.services import places
from core.errors import DomainError
from staff.models import Action
from staff.services.audit import audit, require

# The reasons a moderator picks from; any other can be typed.
REASONS = [
    ("", gettext_lazy("(no reason given)")),
    ("in_line", gettext_lazy("Within the project's rules")),
    ("off_topic", gettext_lazy("Off topic for this project")),
    ("abusive", gettext_lazy("Insulting, hateful or abusive")),
    ("personal_data", gettext_lazy("Contains personal data")),
    ("advertising", gettext_lazy("Advertising or spam")),
    ("illegal", gettext_lazy("Unlawful content")),
]
REASON_LABELS = dict(REASONS)


def reason_text(*, choice: str = "", typed: str = "") -> str:
    """The reason as recorded: the typed text wins, else the chosen label (in the site's
    language, so the log reads the same for every reader)."""
    typed = (typed or "").strip()
    if typed:
        if len(typed) > 1000:
            raise DomainError("reason_too_long", _("A reason has at most 1000 characters."))
        return typed
    if choice not in REASON_LABELS:
        raise DomainError("unknown_reason", _("Choose a reason from the list or type one."))
    if not choice:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return str(REASON_LABELS[choice])


def _previous_public_status(contribution):
    # Publishing an item hidden by reports gives it back the status it had (planned, ...).
    last = (
        StatusChange.objects.filter(contribution=contribution, status__in=PUBLIC_STATUSES)
        .order_by("-created_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return last or Status.PUBLISHED


def _clear_reports(now, *, contribution=None, comment=None):
    reports = AbuseReport.objects.filter(reviewed_at__isnull=True)
    if comment is not None:
        reports = reports.filter(comment=comment)
    else:
        reports = reports.filter(contribution=contribution, comment__isnull=True)
    return reports.update(reviewed_at=now)


@transaction.atomic
def moderate(
    *,
    actor,
    project: Project,
    action: str,
    contribution_ids=(),
    comment_ids=(),
    reason: str = "",
    now=None,
) -> int:
    """Publishes or hides contributions and comments of the project, reviewing their reports.

    Returns how many items were moderated. Every item is logged, even when its status did
    not change (a review of reports that keeps it published is a decision too).
    """
    require(actor, project, "moderate")
    if action not in (Action.PUBLISH, Action.HIDE):
        raise DomainError("unknown_action", _("Choose publish or hide."))
    contribution_ids, comment_ids = set(map(str, contribution_ids)), set(map(str, comment_ids))
    if not contribution_ids and not comment_ids:
        raise DomainError("nothing_selected", _("Select at least one item."))
    now = now or timezone.now()
    # Locked in id order so that two moderators' bulk actions cannot deadlock.
    contributions = list(
        Contribution.objects.select_for_update()
        .filter(project=project, pk__in=contribution_ids)
        .order_by("pk")
    )
    comments = list(
        Comment.objects.select_for_update()
        .filter(contribution__project=project, pk__in=comment_ids)
        .order_by("pk")
    )
    if len(contributions) != len(contribution_ids) or len(comments) != len(comment_ids):
        raise DomainError(
            "not_found", _("Some of these items are not in this project."), status=404
        )
    for contribution in contributions:
        _moderate_contribution(actor, project, contribution, action, reason, now)
    for comment in comments:
        _moderate_comment(actor, project, comment, action, reason, now)
    return len(contributions) + len(comments)


def _moderate_contribution(actor, project, contribution, action, reason, now):
    before = contribution.status
    if action == Action.HIDE:
        after = Status.HIDDEN
    elif before in (Status.SUBMITTED, Status.HIDDEN):
        after = _previous_public_status(contribution)
    else:
        after = before
    cleared = _clear_reports(now, contribution=contribution)
    contribution.status = after
    contribution.report_count = 0
    fields = ["status", "report_count", "updated_at"]
    first_published = after in PUBLIC_STATUSES and contribution.published_at is None
    if first_published:
        contribution.published_at = now
        fields.append("published_at")
    contribution.save(update_fields=fields)
    places.on_moderated(contribution, first_published=first_published)
    if after != before:
        StatusChange.objects.create(
            contribution=contribution, status=after, changed_by=actor, created_at=now
        )
    audit(
        actor=actor,
        project=project,
        action=action,
        target=contribution,
        reason=reason,
        # An undo reopens the reports reviewed at `now` and unsets a first publication.
        details={
            "from": before,
            "to": after,
            "reports_reviewed": cleared,
            "first_published": first_published,
        },
        now=now,
    )


def _moderate_comment(actor, project, comment, action, reason, now):
    before = comment.status
    after = CommentStatus.HIDDEN if action == Action.HIDE else CommentStatus.PUBLISHED
    cleared = _clear_reports(now, comment=comment)
    # The contribution's count of published comments follows by trigger.
    Comment.objects.filter(pk=comment.pk).update(status=after, report_count=0)
    audit(
        actor=actor,
        project=project,
        action=action,
        target=comment,
        reason=reason,
        details={"from": before, "to": after, "reports_reviewed": cleared},
        now=now,
    )
