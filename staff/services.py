"""Every write of the staff workspace: moderation, status and answers, duplicates, assisted
entry, answer templates. Each checks the actor's role itself (a view forgetting to would
still not let anyone act on another project) and writes the audit log in the same
transaction as the change it records."""

from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions import services as contribution_services
from contributions.models import (
    PUBLIC_STATUSES,
    AbuseReport,
    Channel,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    Project,
    Status,
    StatusChange,
    Vote,
)
from core.errors import DomainError, validated
from staff import permissions
from staff.models import Action, AnswerTemplate, AuditEntry, Target

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

# The statuses an answer sets; "duplicate" goes through mark_duplicate.
ANSWER_STATUSES = [
    Status.UNDER_REVIEW,
    Status.ACCEPTED,
    Status.PLANNED,
    Status.DONE,
    Status.REJECTED,
]
ASSISTED_CHANNELS = [Channel.WORKSHOP, Channel.PAPER, Channel.PHONE]


def _require(actor, project, capability):
    if not permissions.can(actor, project, capability):
        raise DomainError("not_found", _("No such project."), status=404)


def _audit(*, actor, project, action, target, reason="", details=None, now=None):
    is_comment = isinstance(target, Comment)
    AuditEntry.objects.create(
        project=project,
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        target_type=Target.COMMENT if is_comment else Target.CONTRIBUTION,
        target_id=target.pk,
        target_title=(target.body if is_comment else target.title)[:140],
        reason=reason,
        details=details or {},
        created_at=now or timezone.now(),
    )


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


# ------------------------------------------------------------------ moderation


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
    _require(actor, project, "moderate")
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
    if after in PUBLIC_STATUSES and contribution.published_at is None:
        contribution.published_at = now
        fields.append("published_at")
    contribution.save(update_fields=fields)
    if after != before:
        StatusChange.objects.create(
            contribution=contribution, status=after, changed_by=actor, created_at=now
        )
    _audit(
        actor=actor,
        project=project,
        action=action,
        target=contribution,
        reason=reason,
        details={"from": before, "to": after, "reports_reviewed": cleared},
        now=now,
    )


def _moderate_comment(actor, project, comment, action, reason, now):
    before = comment.status
    after = CommentStatus.HIDDEN if action == Action.HIDE else CommentStatus.PUBLISHED
    cleared = _clear_reports(now, comment=comment)
    Comment.objects.filter(pk=comment.pk).update(status=after, report_count=0)
    # The contribution's comment count is of published comments.
    change = (after == CommentStatus.PUBLISHED) - (before == CommentStatus.PUBLISHED)
    if change:
        Contribution.objects.filter(pk=comment.contribution_id).update(
            comment_count=F("comment_count") + change
        )
    _audit(
        actor=actor,
        project=project,
        action=action,
        target=comment,
        reason=reason,
        details={"from": before, "to": after, "reports_reviewed": cleared},
        now=now,
    )


# ------------------------------------------------------------ status and answer


@dataclass
class Recipient:
    email: str
    language: str
    token: str = ""


def _language(code: str) -> str:
    code = (code or "").split("-")[0].lower()
    known = [language for language, _name in settings.LANGUAGES]
    return code if code in known else settings.LANGUAGE_CODE


def answer_email(*, contribution, link_to, status: str, answer: str, recipient: Recipient):
    """The email telling one follower the news, in their language, with a link back."""
    language = _language(recipient.language)
    with translation.override(language):
        path = reverse("contribution", args=[link_to.project.slug, link_to.pk])
        context = {
            "contribution": contribution,
            "status": Status(status).label,
            "answer": answer,
            "link": settings.SITE_URL + path,
            "original": link_to if link_to.pk != contribution.pk else None,
            "project": contribution.project,
            "unfollow": _unfollow_link(recipient.token),
        }
        subject = render_to_string("staff/email/answer_subject.txt", context)
        body = render_to_string("staff/email/answer_body.txt", context)
    return mail.EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": language},
    )


def _unfollow_link(token):
    # The public side's stop-following page, where it is installed.
    if not token:
        return ""
    try:
        return settings.SITE_URL + reverse("unfollow", args=[token])
    except NoReverseMatch:
        return ""


def _send_after_commit(messages):
    # Only once the change is saved: a rolled-back answer must not have been announced.
    if messages:
        transaction.on_commit(lambda: mail.get_connection().send_messages(messages))


def _followers(contribution):
    return [
        Recipient(email=email, language=language, token=token)
        for email, language, token in Follow.objects.filter(contribution=contribution)
        .order_by("pk")
        .values_list("email", "language", "token")
    ]


@transaction.atomic
def set_status(
    *, actor, contribution: Contribution, status: str, answer: str = "", now=None
) -> Contribution:
    """Sets the contribution's status with a public answer, records it in the public history
    and the audit log, and emails each follower (the author among them) in their language."""
    project = contribution.project
    _require(actor, project, "answer")
    if status not in ANSWER_STATUSES:
        raise DomainError(
            "unknown_status",
            _("Choose one of these statuses: %(statuses)s.")
            % {"statuses": ", ".join(str(Status(s).label) for s in ANSWER_STATUSES)},
            status=422,
        )
    answer = (answer or "").strip()
    if not answer and status != Status.UNDER_REVIEW:
        raise DomainError(
            "answer_required", _("Write the public answer that goes with this status."), status=422
        )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status == Status.HIDDEN:
        raise DomainError(
            "hidden", _("This contribution is hidden; publish it before answering."), status=409
        )
    if contribution.status == status and contribution.answer == answer:
        raise DomainError(
            "unchanged", _("This status and answer are already the current ones."), status=409
        )
    now = now or timezone.now()
    before = contribution.status
    contribution.status = status
    contribution.answer = answer
    contribution.duplicate_of = None
    if answer and contribution.answered_at is None:
        # The first answer's date: what "time to answer" measures.
        contribution.answered_at = now
    if contribution.published_at is None:
        contribution.published_at = now
    validated(
        contribution,
        code="invalid",
        message=_("The answer is too long."),
        status=422,
        exclude=["project", "theme", "commune", "author", "recorded_by"],
    )
    contribution.save(
        update_fields=[
            "status",
            "answer",
            "duplicate_of",
            "answered_at",
            "published_at",
            "updated_at",
        ]
    )
    StatusChange.objects.create(
        contribution=contribution, status=status, answer=answer, changed_by=actor, created_at=now
    )
    _audit(
        actor=actor,
        project=project,
        action=Action.STATUS,
        target=contribution,
        details={"from": before, "to": status, "answer": answer},
        now=now,
    )
    _send_after_commit(
        [
            answer_email(
                contribution=contribution,
                link_to=contribution,
                status=status,
                answer=answer,
                recipient=recipient,
            )
            for recipient in _followers(contribution)
        ]
    )
    return contribution


@transaction.atomic
def mark_duplicate(
    *, actor, contribution: Contribution, original: Contribution, answer: str = "", now=None
) -> Contribution:
    """Marks `contribution` as a duplicate of `original`: its votes and followers move to the
    original (a participant who voted on both keeps one vote), its followers are told."""
    project = contribution.project
    _require(actor, project, "moderate")
    if original.project_id != project.pk:
        raise DomainError("not_found", _("No such contribution in this project."), status=404)
    if original.pk == contribution.pk:
        raise DomainError(
            "same_contribution", _("A contribution cannot duplicate itself."), status=422
        )
    first, second = sorted([contribution.pk, original.pk], key=str)
    locked = {
        c.pk: c
        for c in Contribution.objects.select_for_update()
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    contribution, original = locked[contribution.pk], locked[original.pk]
    if original.status in (Status.DUPLICATE, Status.HIDDEN, Status.SUBMITTED):
        raise DomainError(
            "not_an_original",
            _("The original must be a published contribution, not a duplicate or hidden one."),
            status=409,
        )
    if contribution.status == Status.DUPLICATE:
        raise DomainError(
            "already_duplicate", _("This is already marked as a duplicate."), status=409
        )
    now = now or timezone.now()
    recipients = _followers(contribution)

    # Votes: one per participant on the original (its unique constraint); the rest go.
    already_voted = Vote.objects.filter(contribution=original).values("participant")
    moved_votes = (
        Vote.objects.filter(contribution=contribution)
        .exclude(participant__in=already_voted)
        .update(contribution=original)
    )
    Vote.objects.filter(contribution=contribution).delete()
    # Followers likewise, one per email; a moved follow keeps its token (its stop link).
    already_following = Follow.objects.filter(contribution=original).values("email")
    moved_follows = (
        Follow.objects.filter(contribution=contribution)
        .exclude(email__in=already_following)
        .update(contribution=original)
    )
    Follow.objects.filter(contribution=contribution).delete()
    for item in (original, contribution):
        item.vote_count = Vote.objects.filter(contribution=item).aggregate(n=Count("pk"))["n"]

    before = contribution.status
    answer = (answer or "").strip() or _("This contribution duplicates “%(title)s”.") % {
        "title": original.title
    }
    contribution.status = Status.DUPLICATE
    contribution.duplicate_of = original
    contribution.answer = answer
    contribution.answered_at = contribution.answered_at or now
    contribution.save(
        update_fields=[
            "status",
            "duplicate_of",
            "answer",
            "answered_at",
            "vote_count",
            "updated_at",
        ]
    )
    original.save(update_fields=["vote_count"])
    StatusChange.objects.create(
        contribution=contribution,
        status=Status.DUPLICATE,
        answer=answer,
        changed_by=actor,
        created_at=now,
    )
    _audit(
        actor=actor,
        project=project,
        action=Action.DUPLICATE,
        target=contribution,
        details={
            "from": before,
            "original": str(original.pk),
            "votes_moved": moved_votes,
            "followers_moved": moved_follows,
        },
        now=now,
    )
    _send_after_commit(
        [
            answer_email(
                contribution=contribution,
                link_to=original,
                status=Status.DUPLICATE,
                answer=answer,
                recipient=recipient,
            )
            for recipient in recipients
        ]
    )
    return contribution


# ---------------------------------------------------------------- assisted entry


@transaction.atomic
def record_contribution(
    *, actor, project: Project, submission: contribution_services.Submission, now=None
) -> Contribution:
    """A contribution entered by staff for a resident (workshop, paper, phone): the resident's
    consent is recorded, their email is optional, and it is published at once since the
    person entering it moderates it as they go."""
    _require(actor, project, "record")
    if submission.channel not in ASSISTED_CHANNELS:
        raise DomainError(
            "unknown_channel",
            _("Say how the contribution came in: workshop, paper or phone."),
            status=422,
        )
    if not submission.consent:
        raise DomainError(
            "consent_required",
            _(
                "The resident must agree to the project's terms before their contribution is "
                "entered."
            ),
            status=422,
        )
    now = now or timezone.now()
    submission.recorded_by = actor
    contribution = contribution_services.submit_contribution(
        project=project, submission=submission, now=now
    )
    if contribution.status == Status.SUBMITTED:
        contribution.status = Status.PUBLISHED
        contribution.published_at = now
        contribution.save(update_fields=["status", "published_at", "updated_at"])
        StatusChange.objects.create(
            contribution=contribution, status=Status.PUBLISHED, changed_by=actor, created_at=now
        )
    _audit(
        actor=actor,
        project=project,
        action=Action.RECORD,
        target=contribution,
        details={"channel": submission.channel, "consent": True, "language": submission.language},
        now=now,
    )
    return contribution


# ------------------------------------------------------------- answer templates


@transaction.atomic
def save_answer_template(
    *, actor, project: Project, name: str, text: str, status: str = "", template_id=None
) -> AnswerTemplate:
    _require(actor, project, "templates")
    if template_id is not None:
        template = AnswerTemplate.objects.filter(project=project, pk=template_id).first()
        if template is None:
            raise DomainError("not_found", _("No such answer template."), status=404)
    else:
        template = AnswerTemplate(project=project)
    template.name, template.text, template.status = name.strip(), text.strip(), status
    if status and status not in ANSWER_STATUSES:
        raise DomainError("unknown_status", _("Choose a status from the list."), status=422)
    validated(
        template,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project"],
    )
    template.save()
    return template


@transaction.atomic
def delete_answer_template(*, actor, project: Project, template_id) -> None:
    _require(actor, project, "templates")
    deleted, _details = AnswerTemplate.objects.filter(project=project, pk=template_id).delete()
    if not deleted:
        raise DomainError("not_found", _("No such answer template."), status=404)
