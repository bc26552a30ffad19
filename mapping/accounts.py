"""Sign-in emails name the site as its pages do ("Participatory mapping", in the reader's
language, and the public address of SITE_URL), not the host a request happened to reach.

A sign-in code also proves the address it was sent to. A staff member whose account was made
in the administration (or by createsuperuser) has an email but no allauth EmailAddress yet;
allauth then verifies nothing after the login code and, verification being mandatory, mails a
second code. The adapter records the address as verified once the login code is accepted, so
one code is enough. Being given a role or an account proves nothing: only the code does."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import signals
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils.translation import gettext

from core.ratelimit import client_address


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    domain: str


def site_identity() -> SiteIdentity:
    name = settings.SITE_NAME or gettext("Participatory mapping")
    return SiteIdentity(name=name, domain=urlsplit(settings.SITE_URL).netloc)


def code_proved(request, user, email: str | None) -> bool:
    """Whether the latest authentication step of this session, for this user, is a login code
    accepted for `email` (allauth records it before the login proper starts)."""
    if not email:
        return False
    records = get_authentication_records(request, user)
    if not records:
        return False
    last = records[-1]
    return last.get("method") == "code" and (last.get("email") or "").lower() == email.lower()


def verify_proved_address(request, user, email: str) -> EmailAddress | None:
    """Mark `email` verified for `user`, adding the EmailAddress if the account has none; it
    becomes primary unless another address already is. Nothing changes if another account
    holds the address verified (allauth's own rule, EmailAddress.can_set_verified)."""
    addresses = EmailAddress.objects.filter(user=user, email__iexact=email)
    address = addresses.order_by("-verified", "pk").first()
    added = address is None
    if added:
        address, added = EmailAddress.objects.get_or_create(
            user=user, email=email.lower(), defaults={"verified": False, "primary": False}
        )
    if address.verified:
        return address
    if not address.set_verified(commit=True):
        return None
    address.set_as_primary(conditional=True)
    if added:
        signals.email_added.send(
            sender=EmailAddress, request=request, user=user, email_address=address
        )
    signals.email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
    return address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # Sign-in's rate limits count per client, also behind the proxy (TRUSTED_PROXIES).
        return client_address(request)

    def format_email_subject(self, subject: str) -> str:
        return f"[{site_identity().name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": site_identity()})

    def pre_login(self, request, user, **kwargs):
        # Runs after the login code is accepted and before the login's stages, among them the
        # mandatory email verification, which then finds the address verified.
        email = kwargs.get("email")
        if user.is_active and code_proved(request, user, email):
            verify_proved_address(request, user, email)
        return super().pre_login(request, user, **kwargs)
