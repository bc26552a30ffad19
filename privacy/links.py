"""Signed, expiring links for people without an account: proof they read the email."""

from django.conf import settings
from django.core import signing

SALT = "privacy.email-link"


def make_token(email: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"email": email.lower()}, compress=True)


def read_token(token: str) -> str | None:
    """The email the token was made for, or None when it is forged or expired."""
    max_age = settings.PRIVACY_LINK_MAX_AGE_HOURS * 3600
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    return data.get("email") if isinstance(data, dict) else None
