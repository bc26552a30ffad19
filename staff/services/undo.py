"""Undoing the last decision on a contribution: a publication, a hiding, a status and answer,
or a duplicate marking, put back as it was before, and the undo itself recorded in the audit
log (the decision's own entry stays: the log is never rewritten).

What an undo cannot take back is said before it is done: emails already sent to followers
stay sent (no new email goes out), and the followers of a duplicate who also followed the
original keep following the original only. A decision the item has moved on from (its
status changed since), or one recorded without what its undo needs (a duplicate marking
made before the moved votes were recorded), is refused with the reason."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import (
    AbuseReport,
    Contribution,
    Follow,
    Status,
    StatusChange,
    Vote,
)
from core.errors import DomainError
from staff.models import Action, AuditEntry, Target
from staff.services.audit import audit, require

UNDOABLE = (Action.PUBLISH, Action.HIDE, Action.STATUS, Action.DUPLICATE)


def last_decision(contribution: Contribution) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(target_type=Target.CONTRIBUTION, target_id=contribution.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def _after(entry: AuditEntry) -> str:
    return Status.DUPLICATE if entry.action == Action.DUPLICATE else entry.details.get("to", "")


def _texts(project, details: dict, key: str):
    """The answer per language a log entry recorded under `key` ("answers", "answers_before"),
    or, for an entry written with one text only, that text in the main language (None:
    nothing recorded)."""
    if key in details:
        return details[key] or {}
    single = details.get(key.replace("answers", "answer"))
    if single is None:
        return None
    return {project.main_language: single} if single else {}


def _answer_before(entry: AuditEntry) -> dict | None:
    """The public answer (per language) the item had before `entry`, replayed from the log
    (None: unknown). Only status decisions and duplicate markings write the answer; an undo
    puts back the one before."""
    project = entry.project
    if entry.action == Action.DUPLICATE:
        return _texts(project, entry.details, "answers_before")
    earlier = AuditEntry.objects.filter(target_id=entry.target_id).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, id__lt=entry.id)
    )
    answers = [{}]
    for previous in earlier.order_by("created_at", "id"):
        if previous.action == Action.STATUS:
            answers.append(_texts(project, previous.details, "answers") or {})
        elif previous.action == Action.DUPLICATE:
            answers.append(_texts(project, previous.details, "answers"))
        elif (
            previous.action == Action.UNDO
            and previous.details.get("undid_action") in (Action.STATUS, Action.DUPLICATE)
            and len(answers) > 1
        ):
            answers.pop()
    return answers[-1]


def _given(contribution) -> dict:
    # What the item holds now, per language (an answer saved with one text: the main one).
    if contribution.answer_texts or not contribution.answer:
        return contribution.answer_texts
    return {contribution.project.main_language: contribution.answer}


def refusal(contribution: Contribution, entry: AuditEntry | None) -> str:
    """Why the last decision cannot be undone, or "" when it can."""
    if entry is None:
        return _("No decision has been taken on this contribution yet.")
    if entry.action == Action.UNDO:
        return _("The last decision was an undo; take a new decision instead.")
    if entry.action == Action.MOVE:
        return _("A moved pin is not undone here: move it back on the map.")
    if entry.action not in UNDOABLE:
        return _("An entry made on a resident's behalf cannot be undone; hide it instead.")
    if contribution.status != _after(entry):
        return _(
            "The contribution changed after this decision (it is now “%(status)s”), so the "
            "decision cannot be undone safely."
        ) % {"status": contribution.get_status_display()}
    if entry.action == Action.DUPLICATE and "vote_ids" not in entry.details:
        return _(
            "This duplicate marking was recorded before markings could be undone: which votes "
            "and followers moved is not known, so it cannot be undone safely."
        )
    if entry.action == Action.STATUS:
        if entry.details.get("from") == Status.DUPLICATE:
            return _(
                "This status ended a duplicate marking; the link to the original is not "
                "recorded, so it cannot be undone safely."
            )
        given = _texts(contribution.project, entry.details, "answers")
        if given is not None and _given(contribution) != given:
            return _("The answer changed after this decision, so it cannot be undone safely.")
    if entry.action in (Action.STATUS, Action.DUPLICATE) and _answer_before(entry) is None:
        return _("The answer before this decision is not known, so it cannot be undone safely.")
    return ""


def undo_preview(contribution: Contribution) -> dict:
    """The last decision, what undoing it would restore, or why it cannot be undone."""
    entry = last_decision(contribution)
    why = refusal(contribution, entry)
    if why:
        return {"entry": entry, "refusal": why}
    restored = entry.details.get("from", "")
    return {
        "entry": entry,
        "refusal": "",
        "restored_status": Status(restored).label if restored in Status.values else restored,
        "votes": len(entry.details.get("vote_ids", [])),
        "followers": len(entry.details.get("follow_ids", [])),
        "followers_dropped": entry.details.get("followers_dropped", 0),
    }


def _drop_history(contribution, entry):
    # The public history goes back to what it was: the decision's own line is removed (the
    # audit log keeps the decision and its undo).
    StatusChange.objects.filter(
        contribution=contribution, created_at=entry.created_at, status=_after(entry)
    ).delete()


@transaction.atomic
def undo_last(*, actor, contribution: Contribution, entry_id: int, reason: str = "", now=None):
    """Undoes the last decision on `contribution`, which must still be `entry_id` (a decision
    taken meanwhile by someone else is not undone by mistake)."""
    project = contribution.project
    require(actor, project, "moderate")
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    entry = last_decision(contribution)
    if entry is None or entry.pk != entry_id:
        raise DomainError(
            "changed",
            _("Another decision was taken on this contribution meanwhile; look again."),
            status=409,
        )
    why = refusal(contribution, entry)
    if why:
        raise DomainError("cannot_undo", why, status=409)
    now = now or timezone.now()
    details = entry.details
    before = contribution.status
    restored = details.get("from") or Status.SUBMITTED
    done = {"undid": entry.pk, "undid_action": entry.action, "from": before, "to": restored}
    fields = ["status", "updated_at"]
    if entry.action in (Action.PUBLISH, Action.HIDE):
        reopened = AbuseReport.objects.filter(
            contribution=contribution, comment__isnull=True, reviewed_at=entry.created_at
        ).update(reviewed_at=None)
        contribution.report_count += reopened
        fields.append("report_count")
        done["reports_reopened"] = reopened
        if details.get("first_published"):
            contribution.published_at = None
            fields.append("published_at")
    elif entry.action == Action.STATUS:
        _restore_answer(contribution, _answer_before(entry))
        fields += ["answer", "answer_texts"]
        if contribution.answered_at == entry.created_at:
            contribution.answered_at = None
            fields.append("answered_at")
        if contribution.published_at == entry.created_at:
            contribution.published_at = None
            fields.append("published_at")
    else:
        done.update(_unmerge(contribution, details))
        contribution.duplicate_of = None
        _restore_answer(contribution, _answer_before(entry))
        answered = details.get("answered_at_before")
        contribution.answered_at = datetime.fromisoformat(answered) if answered else None
        fields += ["duplicate_of", "answer", "answer_texts", "answered_at"]
    contribution.status = restored
    contribution.save(update_fields=fields)
    _drop_history(contribution, entry)
    audit(
        actor=actor,
        project=project,
        action=Action.UNDO,
        target=contribution,
        reason=reason,
        details=done,
        now=now,
    )
    contribution.refresh_from_db()
    return contribution


def _restore_answer(contribution, texts: dict) -> None:
    project = contribution.project
    contribution.answer_texts = texts
    contribution.answer = project.answer_in(texts, language=project.main_language).text


def _unmerge(contribution, details) -> dict:
    """Moves back to the duplicate the votes and followers its marking moved, unless the
    participant or the email is on it again since (then the original keeps that row)."""
    original = (
        Contribution.objects.select_for_update().filter(pk=contribution.duplicate_of_id).first()
    )
    if original is None:
        return {"votes_moved_back": 0, "followers_moved_back": 0}
    on_duplicate = Vote.objects.filter(contribution=contribution).values("participant")
    votes = (
        Vote.objects.filter(pk__in=details.get("vote_ids", []), contribution=original)
        .exclude(participant__in=on_duplicate)
        .update(contribution=contribution)
    )
    following = Follow.objects.filter(contribution=contribution).values("email")
    follows = (
        Follow.objects.filter(pk__in=details.get("follow_ids", []), contribution=original)
        .exclude(email__in=following)
        .update(contribution=contribution)
    )
    return {"votes_moved_back": votes, "followers_moved_back": follows}
