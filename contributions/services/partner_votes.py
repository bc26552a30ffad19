"""Votes on the partners' projects: a resident's vote (given or changed until the period
closes) and the ballots staff enter for votes taken on paper or at a workshop.

Who counts once is the contributions' rule (docs/security.md, contributions/participants.py):
an account ("user:<id>"), or an address confirmed by a link ("email:<digest>") where the
project takes email votes; never a browser session. The unique constraint
(partner project, participant) decides under concurrency: a second vote replaces the first.
Each ballot entered by staff gets a participant of its own ("ballot:<uuid>")."""

import uuid

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from contributions.models import (
    BALLOT_PREFIX,
    VOTE_VALUES,
    Channel,
    PartnerProject,
    PartnerVote,
    PartnerVoteMode,
    PartnerVoteState,
    Project,
    VoteIdentity,
)
from contributions.participants import EMAIL_PREFIX, USER_PREFIX
from contributions.vocabulary import COMMENT_MAX_LENGTH
from core.errors import DomainError
from territories.models import Territory, TerritoryKind

# Channels of ballots entered by staff (online votes are residents' own).
ASSISTED_CHANNELS = (Channel.PAPER, Channel.WORKSHOP, Channel.PHONE)
# The most ballots one assisted entry records at once.
MAX_BALLOTS = 200


def check_vote_period(project: Project, moment=None) -> None:
    """Refuses (409) when the partner vote is not open, saying when it opens or closed."""
    state = project.partner_vote_state(moment)
    if state == PartnerVoteState.OPEN:
        return
    if state == PartnerVoteState.CLOSED:
        raise DomainError(
            "vote_closed",
            _("The vote on the partners' projects closed on %(date)s; votes are no longer taken.")
            % {"date": formats.date_format(project.partner_vote_closes_at, "DATETIME_FORMAT")},
            status=409,
        )
    if state == PartnerVoteState.UPCOMING:
        message = _("The vote on the partners' projects opens on %(date)s.") % {
            "date": formats.date_format(project.partner_vote_opens_at, "DATETIME_FORMAT")
        }
    else:
        message = _("The vote on the partners' projects is not open.")
    raise DomainError("vote_not_open", message, status=409)


def _is_whole(text: str) -> bool:
    return text.isascii() and text.lstrip("+-").isdigit() and text.count("-") + text.count("+") <= 1


def parse_vote_value(project: Project, value) -> int:
    """The vote as the project's mode takes it: +1 or -1 (for/against), 1 to 5 (rating);
    an int or its text. Anything else: 422 invalid_vote_value."""
    mode = project.partner_vote_mode
    allowed = VOTE_VALUES[PartnerVoteMode(mode)]
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and len(value) < 4 and _is_whole(value.strip()):
        number = int(value.strip())
    if number not in allowed:
        if mode == PartnerVoteMode.RATING:
            message = _("Give a rating from 1 to 5.")
        else:
            message = _("Vote for (+1) or against (-1).")
        raise DomainError(
            "invalid_vote_value", message, status=422, extra={"allowed": list(allowed)}
        )
    return number


def _comment(text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str) or "\x00" in text:
        raise DomainError("invalid_comment", _("Write the comment as plain text."), status=422)
    text = text.strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise DomainError(
            "too_long",
            _("A comment is limited to %(n)d characters.") % {"n": COMMENT_MAX_LENGTH},
            status=422,
            extra={"field": "comment"},
        )
    return text


def residence_commune(project: Project, commune) -> Territory | None:
    """The commune of residence a voter gave: one of the perimeter's current communes (a
    Territory or its id), or None. Anything else: 422 invalid_commune."""
    if commune in (None, ""):
        return None
    pk = commune.pk if isinstance(commune, Territory) else commune
    if isinstance(pk, bool) or not str(pk).isdigit() or len(str(pk)) > 12:
        pk = None
    found = (
        Territory.objects.filter(
            pk=pk,
            perimeters=project.perimeter_id,
            kind=TerritoryKind.COMMUNE,
            valid_until__isnull=True,
        ).first()
        if pk is not None
        else None
    )
    if found is None:
        raise DomainError(
            "invalid_commune", _("Choose a commune of the project's territory."), status=422
        )
    return found


def _check_voter(project: Project, participant: str | None) -> None:
    emails_vote = project.vote_identity == VoteIdentity.ACCOUNT_OR_EMAIL
    if participant and participant.startswith(USER_PREFIX):
        return
    if participant and participant.startswith(EMAIL_PREFIX) and emails_vote:
        return
    if emails_vote:
        message = _("Sign in, or give your email address and confirm it, to vote.")
    else:
        message = _("Sign in to vote.")
    raise DomainError("sign_in_to_vote", message, status=401)


def _votable(partner_project: PartnerProject) -> PartnerProject:
    if not partner_project.published:
        raise DomainError("not_found", _("No such partner project."), status=404)
    return partner_project


def _upsert(*, partner_project, participant, user, value, comment, channel, commune, entered_by):
    """Writes the participant's vote, replacing their earlier one; (vote, created)."""
    vote = (
        PartnerVote.objects.select_for_update()
        .filter(partner_project=partner_project, participant=participant)
        .first()
    )
    created = vote is None
    if created:
        # The unique constraint decides a race: the loser's INSERT ... ON CONFLICT updates.
        PartnerVote.objects.bulk_create(
            [
                PartnerVote(
                    partner_project=partner_project,
                    project_id=partner_project.project_id,
                    participant=participant,
                    user=user,
                    value=value,
                    comment=comment,
                    channel=channel,
                    commune=commune,
                    entered_by=entered_by,
                )
            ],
            update_conflicts=True,
            unique_fields=["partner_project", "participant"],
            update_fields=["value", "comment", "channel", "commune", "updated_at"],
        )
        vote = PartnerVote.objects.get(partner_project=partner_project, participant=participant)
        return vote, True
    vote.value, vote.comment, vote.channel = value, comment, channel
    if commune is not None:
        vote.commune = commune
    vote.save(update_fields=["value", "comment", "channel", "commune", "updated_at"])
    return vote, False


@transaction.atomic
def cast_partner_vote(
    *,
    partner_project: PartnerProject,
    participant: str | None,
    value,
    user=None,
    comment: str | None = "",
    commune=None,
    moment=None,
) -> tuple[PartnerVote, bool]:
    """A resident's vote on a published partner project, or the change of their vote, while
    the project's partner vote is open; returns (vote, created). Refused outside the period
    (409 vote_not_open / vote_closed), for a value outside the project's mode (422
    invalid_vote_value), for someone who may not vote (401 sign_in_to_vote)."""
    _votable(partner_project)
    project = partner_project.project
    check_vote_period(project, moment)
    _check_voter(project, participant)
    number = parse_vote_value(project, value)
    text = _comment(comment)
    place = residence_commune(project, commune)
    return _upsert(
        partner_project=partner_project,
        participant=participant,
        user=user,
        value=number,
        comment=text,
        channel=Channel.ONLINE,
        commune=place,
        entered_by=None,
    )


@transaction.atomic
def withdraw_partner_vote(
    *, partner_project: PartnerProject, participant: str | None, moment=None
) -> bool:
    """Removes the participant's vote while the vote is open; False when there was none."""
    _votable(partner_project)
    check_vote_period(partner_project.project, moment)
    _check_voter(partner_project.project, participant)
    removed, _details = PartnerVote.objects.filter(
        partner_project=partner_project, participant=participant
    ).delete()
    return bool(removed)


@transaction.atomic
def record_paper_votes(
    *, project: Project, ballots: list, channel: str, entered_by, moment=None
) -> list[str]:
    """Ballots taken on paper, at a workshop or by phone, entered by staff while the vote is
    open. Each ballot is one participant's votes on several projects:
    {"votes": {partner project id: value}, "commune": territory id or None, "comments":
    {partner project id: text}}. Each gets a participant of its own ("ballot:<uuid>");
    returns them. Nothing is written when one ballot is refused."""
    if channel not in ASSISTED_CHANNELS:
        raise DomainError(
            "invalid_channel",
            _("Choose where the votes were taken: on paper, at a workshop or by phone."),
            status=422,
        )
    check_vote_period(project, moment)
    if not isinstance(ballots, list | tuple) or not ballots or len(ballots) > MAX_BALLOTS:
        raise DomainError(
            "invalid_ballots",
            _("Record between 1 and %(n)d ballots at once.") % {"n": MAX_BALLOTS},
            status=422,
        )
    projects = {
        str(pk): item
        for pk, item in (
            (item.pk, item) for item in PartnerProject.objects.of_project(project).published()
        )
    }
    participants = []
    for ballot in ballots:
        votes = ballot.get("votes") if isinstance(ballot, dict) else None
        if not isinstance(votes, dict) or not votes:
            raise DomainError(
                "empty_ballot", _("A ballot has no vote: give at least one."), status=422
            )
        comments = ballot.get("comments") or {}
        if not isinstance(comments, dict):
            raise DomainError("invalid_comment", _("Write the comment as plain text."), status=422)
        place = residence_commune(project, ballot.get("commune"))
        participant = f"{BALLOT_PREFIX}{uuid.uuid4()}"
        for key, value in votes.items():
            partner_project = projects.get(str(key))
            if partner_project is None:
                raise DomainError(
                    "unknown_partner_project",
                    _("A project voted on is not one of this project's published ones."),
                    status=422,
                )
            _upsert(
                partner_project=partner_project,
                participant=participant,
                user=None,
                value=parse_vote_value(project, value),
                comment=_comment(comments.get(key)),
                channel=channel,
                commune=place,
                entered_by=entered_by,
            )
        participants.append(participant)
    return participants
