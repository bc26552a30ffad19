"""Who takes part: one identity for votes, comments, follows and reports, signed in or not.

A participant is "user:<id>" for a signed-in person; "email:<digest>" for an address that was
confirmed through a mailed link (email votes, where the project allows them); "anon:<session
key>" for a browser session where the project allows anonymous participation. Only the first
two are people the application can count once: a vote needs one of them, and only their
abuse reports count towards hiding an item automatically (docs/security.md). An anonymous
session costs nothing to make (a client without cookies gets a new one each request), so it
is opened only for an action that must remember it, never for a page view.
"""

from allauth.account.models import EmailAddress
from django.utils.crypto import salted_hmac

from contributions.models import ModerationMode, VoteIdentity

USER_PREFIX = "user:"
EMAIL_PREFIX = "email:"
ANONYMOUS_PREFIX = "anon:"
# The participants that stand for one account or one confirmed address.
PERSON_PREFIXES = (USER_PREFIX, EMAIL_PREFIX)
# Mailbox providers known to ignore dots in the local part: one inbox, one address.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def user_participant(user) -> str:
    """The participant a signed-in person is, wherever they take part."""
    return f"{USER_PREFIX}{user.pk}"


def normalised_email(address: str) -> str:
    """One spelling per mailbox: lower case, without a "+tag" (which reaches the same inbox),
    without the dots Gmail ignores. Only for telling addresses apart; mail goes to the
    address as given."""
    local, _at, domain = (address or "").strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def email_participant(address: str) -> str:
    """The participant a confirmed address is: a keyed digest, so vote rows never hold the
    address (and the digest alone cannot be checked against a list of addresses)."""
    digest = salted_hmac(
        "contributions.email-participant", normalised_email(address), algorithm="sha256"
    ).hexdigest()
    return f"{EMAIL_PREFIX}{digest}"


def is_person(participant: str | None) -> bool:
    """An account or a confirmed address: someone counted once, unlike a browser session."""
    return bool(participant) and participant.startswith(PERSON_PREFIXES)


def participant_of(request, project) -> str | None:
    """The request's participant as it stands, writing nothing: the signed-in person, or the
    anonymous session the browser already has; None otherwise."""
    if request.user.is_authenticated:
        return user_participant(request.user)
    if not project.allow_anonymous or not request.session.session_key:
        return None
    return f"{ANONYMOUS_PREFIX}{request.session.session_key}"


def session_participant(request, project) -> str | None:
    """The request's participant for an action that must remember an anonymous person (a
    report, counted once per session): opens the session if the browser has none. None when
    the project asks people to sign in."""
    if request.user.is_authenticated:
        return user_participant(request.user)
    if not project.allow_anonymous:
        return None
    if not request.session.session_key:
        request.session.save()
    return f"{ANONYMOUS_PREFIX}{request.session.session_key}"


def owns_verified_email(user, address: str) -> bool:
    """The signed-in user proved they read this address (sign-in or sign-up by code)."""
    if user is None or not user.is_authenticated or not address:
        return False
    return EmailAddress.objects.filter(
        user=user, email__iexact=address.strip(), verified=True
    ).exists()


def page_rights(request, project) -> dict:
    """Which of the contribution page's forms this reader gets, by the rules the services
    apply (they decide again on every write)."""
    is_open = project.is_open()
    signed_in = request.user.is_authenticated
    emails_vote = project.vote_identity == VoteIdentity.ACCOUNT_OR_EMAIL
    return {
        "can_vote": is_open and signed_in,
        "vote_by_email": is_open and not signed_in and emails_vote,
        "can_comment": is_open and (signed_in or project.allow_anonymous),
        "comment_moderated": not signed_in or project.moderation == ModerationMode.BEFORE,
        "can_report": signed_in or project.allow_anonymous,
    }
