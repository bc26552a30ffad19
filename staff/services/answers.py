"""Answering a contribution: its status and public answer, recorded in the public history and
the audit log, and announced to its followers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import ANSWER_STATUSES, Contribution, Status, StatusChange
from core.errors import DomainError, validated
from staff.models import Action
from staff.services.audit import audit, require
from staff.services.emails import answer_email, followers, send_after_commit


@transaction.atomic
def set_status(
    *, actor, contribution: Contribution, status: str, answer: str = "", now=None
) -> Contribution:
    """Sets the contribution's status with a public answer, records it in the public history
    and the audit log, and emails each follower (the author among them) in their language."""
    project = contribution.project
    require(actor, project, "answer")
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
    audit(
        actor=actor,
        project=project,
        action=Action.STATUS,
        target=contribution,
        details={"from": before, "to": status, "answer": answer},
        now=now,
    )
    send_after_commit(
        [
            answer_email(
                contribution=contribution,
                link_to=contribution,
                status=status,
                answer=answer,
                recipient=recipient,
            )
            for recipient in followers(contribution)
        ]
    )
    return contribution
