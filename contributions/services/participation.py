"""Taking part around a contribution: votes, comments, follows, abuse reports."""

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from contributions.models import (
    AbuseReport,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    ModerationMode,
    Status,
    Vote,
)
from contributions.participants import user_participant
from core.errors import DomainError, validated


def _check_can_take_part(contribution, participant):
    if not contribution.is_public:
        raise DomainError("not_found", _("No such contribution."), status=404)
    if not contribution.project.is_open():
        raise DomainError(
            "project_closed", _("This project does not take part any more."), status=409
        )
    if participant is None:
        raise DomainError(
            "anonymous_not_allowed", _("Sign in to take part in this project."), status=401
        )


@transaction.atomic
def vote(*, contribution: Contribution, participant: str, user=None) -> bool:
    """Adds the participant's vote; False when they had already voted (nothing changes)."""
    _check_can_take_part(contribution, participant)
    # The unique constraint decides under concurrency: a second insert is a no-op.
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO contributions_vote (contribution_id, user_id, participant, created_at)
               VALUES (%s, %s, %s, now())
               ON CONFLICT ON CONSTRAINT one_vote_per_participant DO NOTHING
               RETURNING id""",
            [contribution.pk, user.pk if user else None, participant],
        )
        # vote_count follows by trigger (contributions 0010).
        return cursor.fetchone() is not None


@transaction.atomic
def unvote(*, contribution: Contribution, participant: str) -> bool:
    _check_can_take_part(contribution, participant)
    removed, _details = Vote.objects.filter(
        contribution=contribution, participant=participant
    ).delete()
    return bool(removed)


@transaction.atomic
def add_comment(*, contribution: Contribution, body: str, author=None, participant=None):
    _check_can_take_part(contribution, participant or (author and user_participant(author)))
    project = contribution.project
    if author is None and not project.allow_anonymous:
        raise DomainError(
            "anonymous_not_allowed", _("This project asks you to sign in to comment."), status=401
        )
    published = project.moderation == ModerationMode.AFTER
    comment = Comment(
        contribution=contribution,
        author=author,
        body=body.strip(),
        status=CommentStatus.PUBLISHED if published else CommentStatus.SUBMITTED,
    )
    validated(
        comment,
        code="invalid",
        message=_("The comment is empty or too long."),
        exclude=["contribution", "author"],
    )
    # comment_count follows by trigger (contributions 0010).
    comment.save(force_insert=True)
    return comment


@transaction.atomic
def follow(*, contribution: Contribution, email: str, user=None, language: str = "") -> Follow:
    """Asks to be emailed when the contribution is answered; following twice changes nothing."""
    if not contribution.is_public:
        raise DomainError("not_found", _("No such contribution."), status=404)
    email = (email or "").strip()
    candidate = Follow(contribution=contribution, email=email, user=user, language=language)
    validated(
        candidate,
        code="invalid_email",
        message=_("Enter a valid email address."),
        exclude=["contribution", "user", "token"],
        validate_unique=False,
        extra={"field": "email"},
    )
    existing, _created = Follow.objects.get_or_create(
        contribution=contribution,
        email=email,
        defaults={"user": user, "language": language},
    )
    return existing


def unfollow(*, token: str) -> bool:
    removed, _details = Follow.objects.filter(token=token).delete()
    return bool(removed)


@transaction.atomic
def report_abuse(
    *, contribution: Contribution, participant: str, reason: str = "", comment=None
) -> bool:
    """Records a resident's report; past the project's threshold the item is hidden until a
    moderator reviews it. False when this participant had already reported it."""
    if not contribution.is_public:
        raise DomainError("not_found", _("No such contribution."), status=404)
    if participant is None:
        raise DomainError(
            "anonymous_not_allowed", _("Sign in to report this contribution."), status=401
        )
    if comment is not None and comment.contribution_id != contribution.pk:
        raise DomainError("not_found", _("No such comment."), status=404)
    report = AbuseReport(
        contribution=contribution, comment=comment, participant=participant, reason=reason.strip()
    )
    validated(
        report,
        code="invalid",
        message=_("The reason is too long."),
        exclude=["contribution", "comment"],
        validate_unique=False,
        extra={"field": "reason"},
    )
    with connection.cursor() as cursor:
        # The unique constraint decides under concurrency: a second report is a no-op.
        cursor.execute(
            """INSERT INTO contributions_abusereport
                   (contribution_id, comment_id, participant, reason, created_at)
               VALUES (%s, %s, %s, %s, now())
               ON CONFLICT ON CONSTRAINT one_report_per_participant DO NOTHING
               RETURNING id""",
            [contribution.pk, comment.pk if comment else None, participant, report.reason],
        )
        if cursor.fetchone() is None:
            return False
    threshold = contribution.project.report_threshold
    if comment is None:
        Contribution.objects.filter(pk=contribution.pk).update(report_count=F("report_count") + 1)
        contribution.refresh_from_db(fields=["report_count", "status"])
        if threshold and contribution.report_count >= threshold:
            Contribution.objects.filter(pk=contribution.pk).update(status=Status.HIDDEN)
    else:
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        comment.refresh_from_db(fields=["report_count", "status"])
        if threshold and comment.report_count >= threshold:
            Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.HIDDEN)
    return True
