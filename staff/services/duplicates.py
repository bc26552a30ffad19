"""Marking a contribution as a duplicate of another: its votes and followers move to the
original, and its followers are told where the discussion went.

The original then holds its own votes plus the duplicate's, one per participant; a vote given
to both stays on the duplicate, so no vote is lost and none is counted twice on one item.
The counters follow the vote rows by trigger (contributions 0010)."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contributions.models import Contribution, Follow, Status, StatusChange, Vote
from core.errors import DomainError
from staff.models import Action
from staff.services.answers import answer_texts
from staff.services.audit import audit, require
from staff.services.emails import answer_email, followers, send_after_commit


def _votes_to_move(contribution, original):
    already_voted = Vote.objects.filter(contribution=original).values("participant")
    return Vote.objects.filter(contribution=contribution).exclude(participant__in=already_voted)


def _follows_to_move(contribution, original):
    already_following = Follow.objects.filter(contribution=original).values("email")
    return Follow.objects.filter(contribution=contribution).exclude(email__in=already_following)


def preview_duplicate(*, contribution: Contribution, original: Contribution) -> dict:
    """What marking `contribution` as a duplicate of `original` would do, for the page that
    asks to confirm it: votes and followers moved, followers emailed."""
    return {
        "original": original,
        "votes": _votes_to_move(contribution, original).count(),
        "followers": _follows_to_move(contribution, original).count(),
        "emailed": len(followers(contribution)),
    }


def _default_answers(project, original) -> dict:
    # Said in each of the project's languages, so each follower reads it in theirs.
    texts = {}
    for code in project.languages:
        with translation.override(code):
            texts[code] = _("This contribution duplicates “%(title)s”.") % {"title": original.title}
    return texts


@transaction.atomic
def mark_duplicate(
    *,
    actor,
    contribution: Contribution,
    original: Contribution,
    answers: dict | None = None,
    answer: str = "",
    now=None,
) -> Contribution:
    """Marks `contribution` as a duplicate of `original`: its votes and followers move to the
    original (a participant who voted on both keeps one vote), its followers are told. The
    public answer is the one given (per language, or `answer` in the main language), else a
    sentence pointing to the original in each of the project's languages."""
    project = contribution.project
    require(actor, project, "moderate")
    texts = answer_texts(project, answers=answers, answer=answer)
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
    # A duplicate is public (it points readers to the original): marking a hidden or
    # unmoderated text would publish it without a moderator's decision to.
    if contribution.status in (Status.HIDDEN, Status.SUBMITTED):
        raise DomainError(
            "not_published",
            _(
                "Only a published contribution can be marked as a duplicate: moderate this "
                "one first (publish it, or leave it hidden)."
            ),
            status=409,
        )
    now = now or timezone.now()
    recipients = followers(contribution)

    # Votes: one per participant on the original (its unique constraint). Which rows moved
    # is recorded, so that the marking can be undone (staff.services.undo).
    vote_ids = list(_votes_to_move(contribution, original).values_list("pk", flat=True))
    moved_votes = Vote.objects.filter(pk__in=vote_ids).update(contribution=original)
    # Followers likewise, one per email; a moved follow keeps its token (its stop link).
    follow_ids = list(_follows_to_move(contribution, original).values_list("pk", flat=True))
    moved_follows = Follow.objects.filter(pk__in=follow_ids).update(contribution=original)
    # Those who followed both keep following the original only (not restored by an undo).
    dropped_follows = Follow.objects.filter(contribution=contribution).delete()[0]

    before = contribution.status
    answer_before, answered_at_before = contribution.answer, contribution.answered_at
    texts_before = contribution.answer_texts
    texts = texts or _default_answers(project, original)
    answer = project.answer_in(texts, language=project.main_language).text
    contribution.status = Status.DUPLICATE
    contribution.duplicate_of = original
    contribution.answer = answer
    contribution.answer_texts = texts
    contribution.answered_at = contribution.answered_at or now
    contribution.save(
        update_fields=[
            "status",
            "duplicate_of",
            "answer",
            "answer_texts",
            "answered_at",
            "updated_at",
        ]
    )
    for item in (original, contribution):
        item.refresh_from_db(fields=["vote_count"])
    StatusChange.objects.create(
        contribution=contribution,
        status=Status.DUPLICATE,
        answer=answer,
        answer_texts=texts,
        changed_by=actor,
        created_at=now,
    )
    audit(
        actor=actor,
        project=project,
        action=Action.DUPLICATE,
        target=contribution,
        details={
            "from": before,
            "original": str(original.pk),
            "votes_moved": moved_votes,
            "followers_moved": moved_follows,
            # What an undo needs to put back (staff.services.undo).
            "vote_ids": vote_ids,
            "follow_ids": follow_ids,
            "followers_dropped": dropped_follows,
            "answer": answer,
            "answers": texts,
            "answer_before": answer_before,
            "answers_before": texts_before,
            "answered_at_before": answered_at_before.isoformat() if answered_at_before else None,
        },
        now=now,
    )
    send_after_commit(
        [
            answer_email(
                contribution=contribution,
                link_to=original,
                status=Status.DUPLICATE,
                answers=texts,
                recipient=recipient,
            )
            for recipient in recipients
        ]
    )
    return contribution
