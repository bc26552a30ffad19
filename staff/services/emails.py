"""The emails that tell followers what became of a contribution: one per follower, in their
language, sent only once the change is committed."""

from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from contributions.models import Follow, Status
from core.emails import plain_email
from core.i18n import language_name


@dataclass
class Recipient:
    email: str
    language: str
    token: str = ""


def _language(code: str) -> str:
    code = (code or "").split("-")[0].lower()
    known = [language for language, _name in settings.LANGUAGES]
    return code if code in known else settings.LANGUAGE_CODE


def answer_email(*, contribution, link_to, status: str, answers: dict, recipient: Recipient):
    """The email telling one follower the news, in their language, with a link back; the
    answer in their language too, or in the first of the project's that has a text."""
    language = _language(recipient.language)
    answer = contribution.project.answer_in(answers, language=language)
    with translation.override(language):
        path = reverse("contribution", args=[link_to.project.slug, link_to.pk])
        context = {
            "contribution": contribution,
            "status": Status(status).label,
            "answer": answer.text,
            # Said when the answer is not in the reader's language, so it does not surprise.
            "answer_language": (
                language_name(answer.language)
                if answer.text and answer.language != language
                else ""
            ),
            "link": settings.SITE_URL + path,
            "original": link_to if link_to.pk != contribution.pk else None,
            "project": contribution.project,
            "unfollow": _unfollow_link(recipient.token),
        }
        return plain_email(
            "staff/email/answer",
            context,
            to=recipient.email,
            language=language,
            unfollow=context["unfollow"],
        )


def _unfollow_link(token):
    # The public side's stop-following page, where it is installed.
    if not token:
        return ""
    try:
        return settings.SITE_URL + reverse("unfollow", args=[token])
    except NoReverseMatch:
        return ""


def send_after_commit(messages):
    # Only once the change is saved: a rolled-back answer must not have been announced.
    if messages:
        transaction.on_commit(lambda: mail.get_connection().send_messages(messages))


def followers(contribution):
    """Who is told: confirmed follows only. An address no one confirmed (a follow stored
    before its owner pressed the link's button) receives nothing."""
    return [
        Recipient(email=email, language=language, token=token)
        for email, language, token in Follow.objects.filter(
            contribution=contribution, confirmed_at__isnull=False
        )
        .order_by("pk")
        .values_list("email", "language", "token")
    ]


def result_followers(contributions) -> list:
    """Who is told of a result: the confirmed followers of the contributions it answers, once
    each (one email per address, lower-cased, however many of them it follows), in the
    language of the first of its follows, with that follow's stop link."""
    recipients = {}
    for email, language, token in (
        Follow.objects.filter(contribution__in=contributions, confirmed_at__isnull=False)
        .order_by("pk")
        .values_list("email", "language", "token")
    ):
        recipients.setdefault(email.strip().lower(), Recipient(email, language, token))
    return list(recipients.values())


def result_email(*, result, changes: list, recipient: Recipient):
    """The email telling one follower of a result's news (`changes`: "created", "status",
    "progress", "milestone"), in their language, with a link to the result's public page."""
    language = _language(recipient.language)
    project = result.project
    with translation.override(language):
        try:
            path = reverse("result", args=[project.slug, result.pk])
        except NoReverseMatch:
            path = reverse("project", args=[project.slug])
        title = project.answer_in(result.title, language=language)
        milestone = result.milestones.order_by("-created_at", "-id").first()
        context = {
            "result": result,
            "project": project,
            "title": title.text,
            "text": project.answer_in(result.text, language=language).text,
            "status": result.get_status_display(),
            "progress": result.progress,
            "created": "created" in changes,
            "milestone": (
                project.answer_in(milestone.text, language=language).text
                if milestone and "milestone" in changes
                else ""
            ),
            "milestone_date": milestone.date if milestone else None,
            "link": settings.SITE_URL + path,
            "unfollow": _unfollow_link(recipient.token),
        }
        return plain_email(
            "staff/email/result",
            context,
            to=recipient.email,
            language=language,
            unfollow=context["unfollow"],
        )
