"""Links mailed to confirm an address before it votes or is followed.

A link is signed (django.core.signing, keyed by SECRET_KEY) and expires after LINK_LIFETIME.
Nothing is stored until the person opens it and confirms, so an address someone else typed
in is never kept. Using a link twice changes nothing: one vote per address and contribution,
one follow per address and contribution. A vote's link carries the address's participant
digest, never the address; a follow's link carries the address it was mailed to, since the
follow must write to it.

The email holds nothing a stranger chose (no title, no free text): the project's name, what
was asked, and the link. So asking for links to many addresses cannot relay anyone's spam,
and an address gets at most the `email_link` rate limit of them (docs/security.md).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from contributions.participants import email_participant
from core import ratelimit
from core.emails import plain_email
from core.errors import DomainError

VOTE = "vote"
FOLLOW = "follow"
PURPOSES = (VOTE, FOLLOW)
LINK_LIFETIME = timedelta(days=3)
SALT = "contributions.email-link"


@dataclass(frozen=True)
class EmailLink:
    purpose: str
    contribution_id: str
    participant: str = ""  # a vote: the address's participant ("email:<digest>")
    email: str = ""  # a follow: the address to write to
    language: str = ""


def token_for(link: EmailLink) -> str:
    data = {"p": link.purpose, "c": str(link.contribution_id), "l": link.language}
    if link.participant:
        data["v"] = link.participant
    if link.email:
        data["e"] = link.email
    return signing.dumps(data, salt=SALT, compress=True)


def read(token: str) -> EmailLink:
    """The link's content, or a DomainError when it was altered, cut or is too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.SignatureExpired:
        raise DomainError(
            "link_expired",
            _("This link has expired. Ask for a new one from the contribution's page."),
            status=410,
        ) from None
    except signing.BadSignature:
        raise DomainError(
            "link_invalid",
            _("This link is not valid. Copy it whole from the email, or ask for a new one."),
            status=404,
        ) from None
    if data.get("p") not in PURPOSES:
        raise DomainError("link_invalid", _("This link is not valid."), status=404)
    return EmailLink(
        purpose=data["p"],
        contribution_id=data["c"],
        participant=data.get("v", ""),
        email=data.get("e", ""),
        language=data.get("l", ""),
    )


def _language(code: str) -> str:
    code = (code or "").split("-")[0].lower()
    known = [language for language, _name in settings.LANGUAGES]
    return code if code in known else settings.LANGUAGE_CODE


def send(*, link: EmailLink, to: str, project) -> None:
    """Mails the link to `to` in the asker's language, once the request's writes are
    committed; refused (429) past the address's budget of links."""
    # The budget is the address's, whoever asks: many clients cannot flood one inbox.
    address_key = "e" + email_participant(to).split(":", 1)[1][:32]
    ratelimit.check(None, "email_link", client=address_key)
    language = _language(link.language)
    with translation.override(language):
        context = {
            "purpose": link.purpose,
            "project": project.display_title,
            "link": settings.SITE_URL + reverse("email-link", args=[token_for(link)]),
            "days": LINK_LIFETIME.days,
        }
        message = plain_email("contributions/email/link", context, to=to, language=language)
    # A rolled-back request (a submission that failed) must not have mailed anything.
    transaction.on_commit(message.send)
