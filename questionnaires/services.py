"""Writes on questionnaires' responses: every rule is checked before anything is written,
everything is written in one transaction, and a replayed response (the same client_key) is
the stored one."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.participants import user_participant
from contributions.vocabulary import Channel
from core.errors import DomainError, validated
from questionnaires.models import Answer, MapAnswer, Questionnaire, Response
from questionnaires.validation import CleanAnswers, check_answers
from territories import selectors as territory_selectors

# A key the browser makes (a UUID) so that a draft sent twice is stored once.
CLIENT_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
SITE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


@transaction.atomic
def submit_response(
    *,
    questionnaire: Questionnaire,
    answers,
    client_key: str,
    user=None,
    participant: str = "",
    channel: str = Channel.ONLINE,
    language: str,
    entered_by=None,
    commune=None,
    now=None,
) -> tuple[Response, bool]:
    """Stores a response, or returns the one already stored under `client_key` (created is
    False then). A signed-in `user` answers once per questionnaire; staff entering a paper
    or phone response (`entered_by`) need no account for the resident."""
    _check_key(client_key)
    stored = _replayed(questionnaire, client_key, user)
    if stored is not None:
        return stored, False
    now = now or timezone.now()
    _check_accepts(questionnaire, user=user, entered_by=entered_by, now=now)
    if user is not None and not participant:
        participant = user_participant(user)
    if channel not in Channel.values:
        raise DomainError(
            "unknown_channel",
            _("The channel is one of: %(values)s.") % {"values": ", ".join(Channel.values)},
            status=422,
        )
    if language not in SITE_LANGUAGES:
        raise DomainError(
            "unknown_language",
            _("The language is one of: %(values)s.") % {"values": ", ".join(SITE_LANGUAGES)},
            status=422,
        )
    questions = list(questionnaire.ordered_questions())
    clean = check_answers(questionnaire, questions, answers)
    response = Response(
        questionnaire=questionnaire,
        project=questionnaire.project,
        user=user,
        participant=participant,
        client_key=client_key,
        channel=channel,
        language=language,
        commune=commune,
        entered_by=entered_by,
        submitted_at=now,
    )
    validated(
        response,
        code="invalid",
        message=_("Some values are missing or not valid."),
        exclude=["questionnaire", "project", "user", "commune", "entered_by"],
        validate_unique=False,
    )
    try:
        with transaction.atomic():
            _store(response, clean)
    except IntegrityError:
        # A concurrent replay won the race on client_key, or this person has answered already.
        stored = _replayed(questionnaire, client_key, user)
        if stored is not None:
            return stored, False
        raise _already_answered() from None
    return response, True


def _check_key(client_key):
    if not isinstance(client_key, str) or not CLIENT_KEY.match(client_key):
        raise DomainError(
            "invalid_client_key",
            _("The response needs a client_key of 8 to 100 letters, digits, '.', ':', '_' or '-'."),
            status=422,
        )


def _replayed(questionnaire, client_key, user):
    stored = Response.objects.filter(questionnaire=questionnaire, client_key=client_key).first()
    if stored is None:
        return None
    if stored.user_id is not None and (user is None or stored.user_id != user.pk):
        # Someone else's key: say nothing about that response.
        raise DomainError(
            "client_key_taken",
            _("This response key is already used; reload the questionnaire to start again."),
            status=409,
        )
    return stored


def _check_accepts(questionnaire, *, user, entered_by, now):
    if not questionnaire.published:
        raise DomainError(
            "questionnaire_not_published",
            _("This questionnaire is not published."),
            status=409,
        )
    if not questionnaire.is_open(now) and entered_by is None:
        raise DomainError(
            "questionnaire_closed",
            _("This questionnaire does not take answers now (it is closed or not yet open)."),
            status=409,
            extra={"opens_at": questionnaire.opens_at, "closes_at": questionnaire.closes_at},
        )
    if user is None and entered_by is None and not questionnaire.anonymous_allowed:
        raise DomainError(
            "anonymous_not_allowed",
            _("This questionnaire asks people to sign in before answering."),
            status=401,
        )
    if (
        user is not None
        and Response.objects.filter(
            questionnaire=questionnaire, participant=user_participant(user)
        ).exists()
    ):
        raise _already_answered()


def _already_answered():
    return DomainError(
        "already_answered",
        _("You have already answered this questionnaire; thank you."),
        status=409,
    )


def _store(response: Response, clean: CleanAnswers):
    response.save(force_insert=True)
    project = response.project
    Answer.objects.bulk_create(
        Answer(response=response, question=question, project=project, value=value)
        for question, value in clean.values.items()
    )
    drawings = []
    for question, items in clean.drawings.items():
        for position, item in enumerate(items):
            commune = territory_selectors.attribute(item.geometry, within=project.perimeter)
            drawings.append(
                MapAnswer(
                    response=response,
                    question=question,
                    project=project,
                    geometry=item.geometry,
                    comment=item.comment,
                    commune=commune,
                    position=position,
                )
            )
    MapAnswer.objects.bulk_create(drawings)
    return response


@transaction.atomic
def erase_responses(*, user) -> int:
    """Deletes a person's responses, answers and drawings included (their erasure)."""
    return Response.objects.filter(user=user).delete()[1].get(Response._meta.label, 0)


@transaction.atomic
def forget_respondents(*, project) -> int:
    """Unlinks a project's responses from the accounts that gave them (retention): the
    answers stay, under their pseudonymous response id only."""
    return (
        Response.objects.filter(project=project)
        .exclude(user=None, participant="")
        .update(user=None, participant="")
    )
