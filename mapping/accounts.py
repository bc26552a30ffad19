"""Sign-in emails name the site as its pages do ("Participatory mapping", in the reader's
language, and the public address of SITE_URL), not the host a request happened to reach."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.translation import gettext


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    domain: str


def site_identity() -> SiteIdentity:
    name = settings.SITE_NAME or gettext("Participatory mapping")
    return SiteIdentity(name=name, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        return f"[{site_identity().name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": site_identity()})
