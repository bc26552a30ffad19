"""Answering a contribution: its status and public answer, recorded in the public history and
the audit log, and announced to its followers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import ANSWER_STATUSES, Contribution, Status, StatusChange
from contributions.services import places
from core.errors import DomainError, validated
from staff.models import Action
from staff.services.audit import audit, require
from staff.services.emails import answer_email, followers, send_after_commit

ANSWER_MAX_LENGTH = 5000


def answer_texts(project, *, answers: dict | None, answer: str = "") -> dict:
    """The answer per project language, from `answers` ({"fr": ..., "it": ...}) or, for a
    caller with one text, `answer` in the main language. A language the project does not
    speak is refused rather than dropped: the text typed for it would be lost."""
    if answers is None:
        answers = {project.main_language: answer or ""}
    if not isinstance(answers, dict) or not all(isinstance(text, str) for text in answers.values()):
        raise DomainError("invalid", _("Write each answer as text."), status=422)
    foreign = sorted(
        code for code, text in answers.items() if text and code not in project.languages
    )
    if foreign:
        raise DomainError(
            "unknown_language",
            _("This project does not answer in: %(codes)s.") % {"codes": ", ".join(foreign)},
            status=422,
        )
    texts = project.answer_texts(answers)
    if any(len(text) > ANSWER_MAX_LENGTH for text in texts.values()):
        raise DomainError(
            "invalid",
            _("An answer is limited to %(n)d characters.") % {"n": ANSWER_MAX_LENGTH},
            status=422,
        )
    return texts


@transaction.atomic
def set_status(
    *,
    actor,
    contribution: Contribution,
    status: str,
    answers: dict | None = None,
    answer: str = "",
    now=None,
    notify: bool = True,
) -> Contribution:
    """Sets the contribution's status with a public answer (a text per project language),
    records it in the public history and the audit log, and emails each follower (the
    author among them) in their language, or in the first of the project's languages that
    has a text. `notify=False` leaves the emails out, for a reworded answer whose news the
    followers already had (a meeting's decision recorded again)."""
    project = contribution.project
    require(actor, project, "answer")
    texts = answer_texts(project, answers=answers, answer=answer)
    if status not in ANSWER_STATUSES:
        raise DomainError(
            "unknown_status",
            _("Choose one of these statuses: %(statuses)s.")
            % {"statuses": ", ".join(str(Status(s).label) for s in ANSWER_STATUSES)},
            status=422,
        )
    answer = project.answer_in(texts, language=project.main_language).text
    if not answer and status != Status.UNDER_REVIEW:
        raise DomainError(
            "answer_required", _("Write the public answer that goes with this status."), status=422
        )
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status == Status.HIDDEN:
        raise DomainError(
            "hidden", _("This contribution is hidden; publish it before answering."), status=409
        )
    if contribution.status == status and contribution.answer_texts == texts:
        raise DomainError(
            "unchanged", _("This status and answer are already the current ones."), status=409
        )
    now = now or timezone.now()
    before = contribution.status
    contribution.status = status
    contribution.answer = answer
    contribution.answer_texts = texts
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
            "answer_texts",
            "duplicate_of",
            "answered_at",
            "published_at",
            "updated_at",
        ]
    )
    StatusChange.objects.create(
        contribution=contribution,
        status=status,
        answer=answer,
        answer_texts=texts,
        changed_by=actor,
        created_at=now,
    )
    audit(
        actor=actor,
        project=project,
        action=Action.STATUS,
        target=contribution,
        details={"from": before, "to": status, "answer": answer, "answers": texts},
        now=now,
    )
    if notify:
        _notify(contribution, status, texts)
    places.on_status_change(contribution)
    return contribution


def _notify(contribution, status, texts):
    send_after_commit(
        [
            answer_email(
                contribution=contribution,
                link_to=contribution,
                status=status,
                answers=texts,
                recipient=recipient,
            )
            for recipient in followers(contribution)
        ]
    )
