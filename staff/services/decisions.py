"""The partners' meetings and their decisions: a decision on a proposal becomes its public
status and answer in each project language (through `set_status`, or `mark_duplicate` for a
merged one), is emailed to its followers once, and is kept with the meeting's date."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions.models import Contribution, Kind, Project, Status
from core.errors import DomainError, validated
from staff.models import Action, AuditEntry, Decision, Meeting, Outcome, Target
from staff.services.answers import answer_texts, set_status
from staff.services.audit import require
from staff.services.duplicates import mark_duplicate

# The public status each outcome gives the proposal (a merged one becomes a duplicate).
STATUS_OF_OUTCOME = {
    Outcome.KEPT: Status.ACCEPTED,
    Outcome.TO_STUDY: Status.UNDER_REVIEW,
    Outcome.NOT_KEPT: Status.REJECTED,
    Outcome.MERGED: Status.DUPLICATE,
}

# The answer each outcome starts from, said in each of the project's languages; staff adapt
# it before recording. %(date)s: the meeting's date.
DEFAULT_SENTENCES = {
    Outcome.KEPT: gettext_lazy(
        "The partners' meeting of %(date)s kept your proposal: it will be part of the answer "
        "to the next programming call."
    ),
    Outcome.TO_STUDY: gettext_lazy(
        "The partners' meeting of %(date)s asked for your proposal to be studied further "
        "before a decision."
    ),
    Outcome.NOT_KEPT: gettext_lazy(
        "The partners' meeting of %(date)s did not keep your proposal this time."
    ),
    Outcome.MERGED: gettext_lazy(
        "The partners' meeting of %(date)s merged your proposal with a similar one, which "
        "carries it from now on."
    ),
}


def default_answers(project: Project, outcome: str, meeting: Meeting) -> dict:
    texts = {}
    for code in project.languages:
        with translation.override(code):
            day = meeting.date.strftime("%d/%m/%Y")
            texts[code] = str(DEFAULT_SENTENCES[outcome]) % {"date": day}
    return texts


@transaction.atomic
def create_meeting(*, actor, project: Project, date, period_start, period_end, title=""):
    require(actor, project, "decide")
    meeting = Meeting(
        project=project,
        date=date,
        period_start=period_start,
        period_end=period_end,
        title=(title or "").strip(),
        created_by=actor,
    )
    validated(
        meeting,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project", "created_by"],
    )
    meeting.save()
    return meeting


def _target(project, contribution, merged_into):
    if merged_into is None:
        raise DomainError(
            "merge_target_required",
            _("Say which proposal this one is merged into."),
            status=422,
        )
    target = Contribution.objects.filter(
        project=project, pk=getattr(merged_into, "pk", merged_into)
    )
    target = target.first()
    if target is None:
        raise DomainError("not_found", _("No such contribution in this project."), status=404)
    return target


@transaction.atomic
def record_decision(
    *,
    actor,
    meeting: Meeting,
    contribution: Contribution,
    outcome: str,
    answers: dict | None = None,
    merged_into=None,
    now=None,
) -> Decision:
    """Records the meeting's decision on a proposal and publishes it: the status the outcome
    maps to, with the answer per project language (the outcome's default sentence when none
    is given). Recorded again with the same outcome, the decision and its public answer are
    updated without emailing the followers a second time."""
    project = meeting.project
    require(actor, project, "decide")
    if contribution.project_id != project.pk or contribution.kind != Kind.PROPOSAL:
        raise DomainError("not_found", _("No such proposal in this project."), status=404)
    if outcome not in Outcome.values:
        raise DomainError(
            "unknown_outcome",
            _("Choose one of these decisions: %(outcomes)s.")
            % {"outcomes": ", ".join(str(label) for label in Outcome.labels)},
            status=422,
        )
    texts = answer_texts(project, answers=answers or {}) or default_answers(
        project, outcome, meeting
    )
    now = now or timezone.now()
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    previous = Decision.objects.filter(meeting=meeting, contribution=contribution).first()
    # The news followers last had: the proposal's latest decision, at any meeting.
    latest = Decision.objects.filter(contribution=contribution).order_by("-decided_at").first()
    target = _target(project, contribution, merged_into) if outcome == Outcome.MERGED else None
    _publish(actor, contribution, outcome, texts, target, latest, now)
    decision = previous or Decision(project=project, meeting=meeting, contribution=contribution)
    decision.outcome, decision.answer_texts, decision.merged_into = outcome, texts, target
    decision.decided_by, decision.decided_at = actor, now
    validated(
        decision,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project", "meeting", "contribution", "merged_into", "decided_by"],
        validate_unique=False,
    )
    decision.save()
    AuditEntry.objects.create(
        project=project,
        actor=actor,
        actor_name=actor.get_username(),
        action=Action.DECIDE,
        target_type=Target.DECISION,
        target_id=decision.pk,
        target_title=contribution.title[:140],
        details={
            "contribution": str(contribution.pk),
            "meeting": meeting.pk,
            "meeting_date": meeting.date.isoformat(),
            "outcome": outcome,
            "before": previous.outcome if previous else "",
            "answers": texts,
            "merged_into": str(target.pk) if target else "",
        },
        created_at=now,
    )
    return decision


def _publish(actor, contribution, outcome, texts, target, latest, now):
    """The public side: status and answer, and the followers' emails when the news is new."""
    status = STATUS_OF_OUTCOME[outcome]
    same = latest is not None and latest.outcome == outcome
    if contribution.status == Status.DUPLICATE:
        if same and outcome == Outcome.MERGED and contribution.duplicate_of_id == target.pk:
            return
        raise DomainError(
            "merged",
            _("This proposal is merged into another: undo the merge before deciding again."),
            status=409,
        )
    if contribution.status in (Status.HIDDEN, Status.SUBMITTED):
        raise DomainError(
            "not_published", _("Only a published proposal can be decided on."), status=409
        )
    if outcome == Outcome.MERGED:
        mark_duplicate(
            actor=actor, contribution=contribution, original=target, answers=texts, now=now
        )
        return
    if contribution.status == status and contribution.answer_texts == texts:
        return  # already public as decided: nothing to publish, nobody to tell again
    set_status(
        actor=actor,
        contribution=contribution,
        status=status,
        answers=texts,
        now=now,
        notify=not (same and contribution.status == status),
    )
