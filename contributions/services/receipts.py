"""The receipt of a contribution sent with an email address: what was received, its public
link, what happens next, and how to follow or withdraw it, in the resident's language.

One email does both jobs: when the address is not yet known to be the author's (anyone can
type an address into the form), the receipt carries the link that confirms the follow, and
nothing else reaches the address until its owner has pressed that link's button. When the
follow is already confirmed (the signed-in author's verified address, an address staff took
down from the resident), the receipt says so and carries the one-click unsubscribe headers.

Anyone can type someone else's address, so a receipt to an address not yet confirmed holds
no text the sender chose (no title, no description: the project's name, the kind, theme and
commune from the project's lists, and links), like the confirmation links
(contributions.email_links): submitting cannot relay a stranger's text to any inbox. The
title is shown once the address is known to be the author's.

The receipt is written after the commit, from what was stored (an assisted entry is
published in the same transaction), and an address gets no more receipts carrying a link
than the `email_link` budget of links allows (docs/security.md): past it, the contribution
is stored and no receipt is sent.
"""

import logging
from functools import partial

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from contributions import email_links
from contributions.models import Contribution, Follow, Kind, Status
from contributions.participants import email_participant
from core import ratelimit
from core.emails import plain_email
from core.i18n import localized
from territories.selectors import current_name

logger = logging.getLogger(__name__)

# The same sentences as the project page's promise (mapping.page_data).
LEVEL_PROMISES = {
    "inform": _("You are informed: this map shows what is planned."),
    "consult": _("You are consulted: your contributions are read and answered before decisions."),
    "involve": _("You are involved: your contributions shape the options that are studied."),
    "collaborate": _("You collaborate: residents and services decide on the options together."),
    "empower": _("You decide: the choices made here are carried out."),
}


def send_receipt(*, contribution: Contribution, follow: Follow | None = None) -> None:
    """Mails the receipt once the submission is committed; nothing without an address.
    `follow` is the author's confirmed follow, if any; without one, the receipt carries the
    link that confirms it."""
    if not contribution.email:
        return
    token = follow.token if follow is not None and follow.confirmed_at else ""
    # robust: a mail server down must not turn a stored contribution into an error page.
    transaction.on_commit(partial(_send, contribution.pk, token), robust=True)


def _language(contribution) -> str:
    code = (contribution.language or "").split("-")[0].lower()
    known = [language for language, _name in settings.LANGUAGES]
    if code in known:
        return code
    main = contribution.project.main_language
    return main if main in known else settings.LANGUAGE_CODE


def _send(contribution_id, token) -> None:
    contribution = (
        Contribution.objects.select_related("project", "theme")
        .annotate(public_commune_name=current_name("public_commune"))
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None or not contribution.email:
        return
    follow_link = ""
    if not token:
        # A link to an address no one has confirmed: within that address's budget of links.
        address_key = "e" + email_participant(contribution.email).split(":", 1)[1][:32]
        if ratelimit.hit("email_link", address_key) is not None:
            logger.info("receipt not sent: the address is over its budget of links")
            return
        follow_link = _follow_link(contribution)
    message = receipt_email(contribution=contribution, token=token, follow_link=follow_link)
    message.send()


def _follow_link(contribution) -> str:
    link = email_links.EmailLink(
        purpose=email_links.FOLLOW,
        contribution_id=str(contribution.pk),
        email=contribution.email,
        language=contribution.language,
    )
    with translation.override(_language(contribution)):
        return settings.SITE_URL + reverse("email-link", args=[email_links.token_for(link)])


def receipt_email(*, contribution, token: str = "", follow_link: str = "") -> mail.EmailMessage:
    """The receipt, in the contribution's language (else the project's main one)."""
    project = contribution.project
    language = _language(contribution)
    with translation.override(language):
        context = {
            # As the sign-in emails name the site (mapping.accounts.site_identity).
            "site_name": settings.SITE_NAME or _("Participatory mapping"),
            "project": project.display_title,
            # Only to an address known to be the author's (see above).
            "title": contribution.title if token else "",
            "kind": Kind(contribution.kind).label if contribution.kind in Kind.values else "",
            "theme": localized(contribution.theme.name, language) or contribution.theme.slug,
            "commune": getattr(contribution, "public_commune_name", "") or "",
            "public": contribution.is_public,
            "waits_for_moderation": contribution.status == Status.SUBMITTED,
            "link": settings.SITE_URL
            + reverse("contribution", args=[project.slug, contribution.pk]),
            "level_promise": str(LEVEL_PROMISES.get(project.participation_level, "")),
            "promise": localized(project.promise, language, project.answer_order),
            "follows": bool(token),
            "unfollow": settings.SITE_URL + reverse("unfollow", args=[token]) if token else "",
            "follow_link": follow_link,
            "days": email_links.LINK_LIFETIME.days,
            "privacy": settings.SITE_URL + reverse("privacy-email-request"),
        }
        unfollow = settings.SITE_URL + reverse("unfollow", args=[token]) if token else ""
        return plain_email(
            "contributions/email/receipt",
            context,
            to=contribution.email,
            language=language,
            unfollow=unfollow,
        )
