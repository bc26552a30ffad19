"""The moderation queue: what awaits a moderator, and the open reports on an item."""

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Exists, F, OuterRef, Q

from contributions.models import (
    AbuseReport,
    Comment,
    CommentStatus,
    Contribution,
    ModerationMode,
    Project,
    Status,
)
from staff.models import AuditEntry

QUEUE_PAGE = 50


def _never_reviewed():
    return ~Exists(AuditEntry.objects.filter(target_id=OuterRef("pk")))


def contribution_queue(project: Project):
    """What awaits a moderator: items reported by residents first (most reported on top),
    then, oldest first, those awaiting publication and, when the project moderates after
    publication, those published that nobody has reviewed yet."""
    waiting = Q(status=Status.SUBMITTED) | Q(report_count__gt=0)
    if project.moderation == ModerationMode.AFTER:
        waiting |= Q(status=Status.PUBLISHED) & _never_reviewed()
    return (
        Contribution.objects.of_project(project)
        .filter(waiting)
        .select_related("theme", "commune")
        .annotate(spot=PointOnSurface("geom"))
        .order_by(F("report_count").desc(), "created_at", "pk")
    )


def comment_queue(project: Project):
    waiting = Q(status=CommentStatus.SUBMITTED) | Q(report_count__gt=0)
    if project.moderation == ModerationMode.AFTER:
        waiting |= Q(status=CommentStatus.PUBLISHED) & _never_reviewed()
    return (
        Comment.objects.filter(contribution__project=project)
        .filter(waiting)
        .select_related("contribution", "author")
        .annotate(spot=PointOnSurface("contribution__geom"))
        .order_by(F("report_count").desc(), "created_at", "pk")
    )


def open_reports(*, contribution=None, comment=None):
    reports = AbuseReport.objects.filter(reviewed_at__isnull=True).order_by("created_at")
    if comment is not None:
        return reports.filter(comment=comment)
    return reports.filter(contribution=contribution, comment__isnull=True)
