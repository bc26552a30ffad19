"""Assisted entry: contributions staff enter for residents who came to a workshop, wrote on
paper or phoned."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import services as contribution_services
from contributions.models import Channel, Contribution, Project, Status, StatusChange
from core.errors import DomainError
from staff.models import Action
from staff.services.audit import audit, require

ASSISTED_CHANNELS = [Channel.WORKSHOP, Channel.PAPER, Channel.PHONE]


@transaction.atomic
def record_contribution(
    *, actor, project: Project, submission: contribution_services.Submission, now=None
) -> Contribution:
    """A contribution entered by staff for a resident (workshop, paper, phone): the resident's
    consent is recorded, their email is optional, and it is published at once since the
    person entering it moderates it as they go."""
    require(actor, project, "record")
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
    audit(
        actor=actor,
        project=project,
        action=Action.RECORD,
        target=contribution,
        details={"channel": submission.channel, "consent": True, "language": submission.language},
        now=now,
    )
    return contribution
