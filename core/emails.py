"""The plain-text emails the site sends people: rendered in one place, so each has its
subject on one line, its language declared and, when it comes from a follow, RFC 8058's
one-click unsubscribe."""

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string


def unsubscribe_headers(url: str) -> dict:
    """RFC 8058: mail clients show a button that POSTs `List-Unsubscribe=One-Click` to `url`,
    the follow's stop page, which needs no session."""
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def plain_email(template: str, context: dict, *, to: str, language: str, unfollow: str = ""):
    """`<template>_subject.txt` and `<template>_body.txt` rendered (in the active language;
    the templates turn autoescape off, so "l'école" is not sent as "l&#x27;école")."""
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_body.txt", context)
    return mail.EmailMessage(
        # One line: a title's line breaks (any Unicode one) must not start a new header.
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Content-Language": language, **unsubscribe_headers(unfollow)},
    )
