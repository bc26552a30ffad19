"""Taking part around a contribution: votes, comments, follows, abuse reports.

Who counts once (docs/security.md): a vote is an account's or a confirmed address's, never
an anonymous session's; a follow writes to an address only once its owner confirmed it;
only reports by distinct signed-in people hide an item automatically, and never one that is
answered or planned.
"""

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import email_links
from contributions.models import (
    AbuseReport,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    ModerationMode,
    Status,
    Vote,
    VoteIdentity,
)
from contributions.participants import (
    EMAIL_PREFIX,
    PERSON_PREFIXES,
    USER_PREFIX,
    email_participant,
    owns_verified_email,
)
from core.errors import DomainError, validated


def _check_can_take_part(contribution):
    if not contribution.is_public:
        raise DomainError("not_found", _("No such contribution."), status=404)
    if not contribution.project.is_open():
        raise DomainError(
            "project_closed", _("This project does not take part any more."), status=409
        )


def _emails_may_vote(project) -> bool:
    return project.vote_identity == VoteIdentity.ACCOUNT_OR_EMAIL


def _check_voter(contribution, participant):
    """A vote is an account's, or a confirmed address's where the project takes them."""
    project = contribution.project
    if participant and participant.startswith(USER_PREFIX):
        return
    if participant and participant.startswith(EMAIL_PREFIX) and _emails_may_vote(project):
        return
    if _emails_may_vote(project):
        message = _("Sign in, or give your email address and confirm it, to vote.")
    else:
        message = _("Sign in to vote.")
    raise DomainError("sign_in_to_vote", message, status=401)


@transaction.atomic
def vote(*, contribution: Contribution, participant: str | None, user=None) -> bool:
    """Adds the participant's vote; False when they had already voted (nothing changes)."""
    _check_can_take_part(contribution)
    _check_voter(contribution, participant)
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
def unvote(*, contribution: Contribution, participant: str | None) -> bool:
    _check_can_take_part(contribution)
    _check_voter(contribution, participant)
    removed, _details = Vote.objects.filter(
        contribution=contribution, participant=participant
    ).delete()
    return bool(removed)


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    validated(
        Follow(email=email),
        code="invalid_email",
        message=_("Enter a valid email address."),
        exclude=["contribution", "user", "token", "language"],
        validate_unique=False,
        extra={"field": "email"},
    )
    return email


@transaction.atomic
def request_email_vote(*, contribution: Contribution, email: str, language: str = "") -> None:
    """Mails a link that counts the address's vote once opened and confirmed (or withdraws
    it, when the address has already voted)."""
    _check_can_take_part(contribution)
    if not _emails_may_vote(contribution.project) or not (email or "").strip():
        _check_voter(contribution, None)  # raises, saying who may vote here
    email = _checked_email(email)
    participant = email_participant(email)
    link = email_links.EmailLink(
        purpose=email_links.VOTE,
        contribution_id=str(contribution.pk),
        participant=participant,
        language=language,
    )
    email_links.send(link=link, to=email, project=contribution.project)


@transaction.atomic
def add_comment(*, contribution: Contribution, body: str, author=None) -> Comment:
    """A comment; an anonymous one always waits for a moderator, whatever the project's
    moderation, since a session costs nothing to make and carries no one's name."""
    _check_can_take_part(contribution)
    project = contribution.project
    if author is None and not project.allow_anonymous:
        raise DomainError(
            "anonymous_not_allowed", _("This project asks you to sign in to comment."), status=401
        )
    published = author is not None and project.moderation == ModerationMode.AFTER
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


def _follow_now(contribution, email, user, language) -> Follow:
    """The confirmed follow of this address (written, or confirmed if it was stored
    unconfirmed); following twice changes nothing."""
    now = timezone.now()
    follow, _created = Follow.objects.get_or_create(
        contribution=contribution,
        email=email,
        defaults={"user": user, "language": language, "confirmed_at": now},
    )
    if follow.confirmed_at is None:
        follow.confirmed_at = now
        follow.save(update_fields=["confirmed_at"])
    return follow


def _send_follow_link(contribution, email, language) -> None:
    link = email_links.EmailLink(
        purpose=email_links.FOLLOW,
        contribution_id=str(contribution.pk),
        email=email,
        language=language,
    )
    email_links.send(link=link, to=email, project=contribution.project)


@transaction.atomic
def follow(
    *, contribution: Contribution, email: str, user=None, language: str = ""
) -> Follow | None:
    """Asks to be emailed when the contribution is answered; following twice changes nothing.

    The signed-in person's own verified address follows at once; any other address gets a
    link first and nothing is written until it is confirmed (None is returned then)."""
    if not contribution.is_public:
        raise DomainError("not_found", _("No such contribution."), status=404)
    email = _checked_email(email)
    if owns_verified_email(user, email):
        return _follow_now(contribution, email, user, language)
    _send_follow_link(contribution, email, language)
    return None


@transaction.atomic
def follow_own_contribution(
    *, contribution: Contribution, user=None, language: str = ""
) -> Follow | None:
    """Leaving an email with a contribution means "tell me the answer". It follows at once when
    the address is surely its owner's: the signed-in author's verified address, or one a
    member of staff took down from the resident (assisted entry, an accountable person who
    heard it from them). Otherwise anyone could have typed it: nothing is written (None), and
    the receipt (contributions.services.receipts) carries the link that asks its owner, so
    one email does both."""
    email = contribution.email
    if not email:
        return None
    if contribution.recorded_by_id is not None or owns_verified_email(user, email):
        return _follow_now(contribution, email, user, language)
    return None


@transaction.atomic
def confirm_follow(*, contribution: Contribution, email: str, language: str = "") -> Follow:
    """The address's owner opened the link and confirmed: the follow is written. It may be the
    author's own contribution still awaiting moderation, so any status but hidden will do."""
    if contribution.status == Status.HIDDEN:
        raise DomainError("not_found", _("No such contribution."), status=404)
    return _follow_now(contribution, _checked_email(email), None, language)


def unfollow(*, token: str) -> bool:
    removed, _details = Follow.objects.filter(token=token).delete()
    return bool(removed)


def _follows_of_person(contribution, user):
    if user is None or not user.is_authenticated:
        return Follow.objects.none()
    mine = Q(user=user)
    for address in EmailAddress.objects.filter(user=user, verified=True).values("email"):
        mine |= Q(email__iexact=address["email"])
    return Follow.objects.filter(mine, contribution=contribution)


def follows_of(*, contribution: Contribution, user):
    """The signed-in person's confirmed follows of the contribution: under their account or
    one of its verified addresses."""
    return _follows_of_person(contribution, user).filter(confirmed_at__isnull=False)


@transaction.atomic
def stop_following(*, contribution: Contribution, user) -> bool:
    """The signed-in person stops following (the page's button): every follow of theirs."""
    removed, _details = _follows_of_person(contribution, user).delete()
    return bool(removed)


@transaction.atomic
def report_abuse(
    *, contribution: Contribution, participant: str | None, reason: str = "", comment=None
) -> bool:
    """Records a resident's report, which raises the item in the moderation queue. False when
    this participant had already reported it.

    Past the project's threshold of distinct signed-in reporters (docs/security.md), the item
    is hidden until a moderator reviews it; anonymous reports never count towards it (a
    session costs nothing to make), and an answered or planned contribution is never hidden
    without a moderator."""
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
    # The counter's UPDATE locks the item's row, so concurrent reports are counted one after
    # the other: the last one sees every report committed before it.
    if comment is None:
        Contribution.objects.filter(pk=contribution.pk).update(report_count=F("report_count") + 1)
        if _past_threshold(contribution, comment=None):
            # Answered or planned: a decision was made in public; only a moderator undoes it.
            Contribution.objects.filter(pk=contribution.pk).exclude(
                pk__in=Contribution.objects.answered().filter(pk=contribution.pk)
            ).update(status=Status.HIDDEN)
    else:
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        if _past_threshold(contribution, comment=comment):
            Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.HIDDEN)
    contribution.refresh_from_db(fields=["report_count", "status"])
    if comment is not None:
        comment.refresh_from_db(fields=["report_count", "status"])
    return True


def _past_threshold(contribution, *, comment) -> bool:
    """Distinct people (accounts, confirmed addresses) whose reports no moderator has reviewed
    yet reach the project's threshold (0: never)."""
    threshold = contribution.project.report_threshold
    if not threshold:
        return False
    people = Q()
    for prefix in PERSON_PREFIXES:
        people |= Q(participant__startswith=prefix)
    # One report per participant and item (a unique constraint): rows are distinct people.
    return (
        AbuseReport.objects.filter(people, contribution=contribution, reviewed_at__isnull=True)
        .filter(comment=comment)
        .count()
        >= threshold
    )
