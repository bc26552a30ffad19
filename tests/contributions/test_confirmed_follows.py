"""Confirmed follows and one-click unsubscribe: only an address its owner confirmed is told
the answer; every email to a follower carries RFC 8058 headers, whose POST unsubscribes with
no session and no CSRF token, while opening the link changes nothing. The contribution page
tells a signed-in follower they follow, and never tells anyone whether an address does."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, override_settings

from contributions import email_links
from contributions.models import Follow, Status
from staff.models import Role
from staff.services import answers
from staff.services.emails import followers
from tests import factories

pytestmark = pytest.mark.django_db

SITE = "https://participer.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def item(demo):
    return factories.make_contribution(demo, status=Status.PUBLISHED)


@pytest.fixture
def moderator(demo):
    return factories.give_role(factories.make_user(staff=True), demo, Role.MODERATOR)


def page(item, language="fr"):
    return f"/{language}/p/{item.project.slug}/c/{item.pk}/"


def answer(item, moderator, capture):
    mail.outbox.clear()
    with capture(execute=True):
        answers.set_status(
            actor=moderator,
            contribution=item,
            status=Status.PLANNED,
            answers={"fr": "Prévu au printemps.", "it": "Previsto in primavera."},
        )


def test_only_confirmed_follows_receive_the_answer_with_one_click_headers(
    item, moderator, django_capture_on_commit_callbacks
):
    factories.make_follow(item, email="unconfirmed@example.org", language="fr", confirmed=False)
    confirmed = factories.make_follow(item, email="confirmed@example.org", language="it")
    assert [r.email for r in followers(item)] == ["confirmed@example.org"]
    answer(item, moderator, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["confirmed@example.org"]
    assert "Previsto in primavera." in message.body  # the answer in the reader's language
    unfollow = f"{SITE}/it/unfollow/{confirmed.token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unfollow}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The headers are written as such in the message a mail server receives.
    sent = message.message()
    assert " ".join(sent["List-Unsubscribe"].split()) == f"<{unfollow}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_follow_is_new_unconfirmed_by_default(item):
    follow = Follow.objects.create(contribution=item, email="raw@example.org")
    assert follow.confirmed_at is None and followers(item) == []


def test_confirming_a_stored_unconfirmed_follow_confirms_it(item):
    follow = factories.make_follow(item, email="later@example.org", confirmed=False)
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.FOLLOW, contribution_id=str(item.pk), email="later@example.org"
        )
    )
    assert Client().post(f"/fr/confirm/{token}/", {"do": "follow"}).status_code == 302
    follow.refresh_from_db()
    assert follow.confirmed_at is not None
    assert Follow.objects.filter(contribution=item).count() == 1


# ------------------------------------------------------------------- one-click unsubscribe


@pytest.mark.parametrize("multipart", [True, False])
def test_the_one_click_post_unsubscribes_without_session_or_csrf_token(item, multipart):
    follow = factories.make_follow(item, email="one@example.org", language="it")
    client = Client(enforce_csrf_checks=True)
    url = f"/it/unfollow/{follow.token}/"
    if multipart:
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
    else:
        response = client.post(
            url,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert "sessionid" not in response.cookies
    # Again (a client retrying): still fine.
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200


def test_opening_the_link_does_not_unsubscribe_and_other_posts_need_the_csrf_token(item):
    follow = factories.make_follow(item, email="two@example.org")
    url = f"/fr/unfollow/{follow.token}/"
    client = Client(enforce_csrf_checks=True)
    opened = client.get(url)
    assert opened.status_code == 200
    assert 'type="submit"' in opened.content.decode()
    assert client.head(url).status_code == 200
    assert Follow.objects.filter(pk=follow.pk).exists()
    # Anything but the one-click body is a form, checked as every form is.
    assert client.post(url).status_code == 403
    assert client.post(url, {"List-Unsubscribe": "Yes"}).status_code == 403
    assert Follow.objects.filter(pk=follow.pk).exists()
    # The page's button, with its token, works.
    token = opened.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()


def test_the_one_click_exemption_is_on_the_unfollow_post_only(item):
    client = Client(enforce_csrf_checks=True)
    response = client.post(page(item), {"action": "follow", "List-Unsubscribe": "One-Click"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "token",
    ["x" * 10_000, "unknown-token", "a%00b", "%00", "..%2F..", "%C0%AF", "é漢字"],
)
def test_hostile_tokens_get_a_clear_page_never_a_500(item, token):
    for url in (f"/fr/unfollow/{token}/", f"/fr/confirm/{token}/"):
        for client in (Client(), Client(enforce_csrf_checks=True)):
            got = client.get(url)
            assert 400 <= got.status_code < 500, (url, got.status_code)
            posted = client.post(url, {"List-Unsubscribe": "One-Click", "do": "follow"})
            assert posted.status_code < 500, (url, posted.status_code)
    assert (
        Client()
        .post(f"/fr/unfollow/{'x' * 100}/", {"List-Unsubscribe": "One\x00Click"})
        .status_code
        < 500
    )


def test_a_stale_or_altered_confirmation_link_gets_a_clear_page(item, monkeypatch):
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.FOLLOW, contribution_id=str(item.pk), email="old@example.org"
        )
    )
    monkeypatch.setattr(email_links, "LINK_LIFETIME", timedelta(seconds=-1))
    for response in (
        Client().get(f"/fr/confirm/{token}/"),
        Client().post(f"/fr/confirm/{token}/", {"do": "follow"}),
    ):
        assert response.status_code == 410
        assert "expired" in response.content.decode() or "expiré" in response.content.decode()
    assert not Follow.objects.filter(contribution=item).exists()
    monkeypatch.undo()
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert Client().post(f"/fr/confirm/{altered}/", {"do": "follow"}).status_code == 404
    assert not Follow.objects.filter(contribution=item).exists()


# ------------------------------------------------------------ the page shows whether you follow


def verified(email):
    person = factories.make_user(email=email)
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    client = Client()
    client.force_login(person)
    return person, client


def test_a_signed_in_follower_sees_they_follow_and_can_stop(
    item, django_capture_on_commit_callbacks
):
    person, client = verified("me@example.org")
    assert "You follow this contribution" not in client.get(page(item, "en")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(item, "en"), {"action": "follow", "email": "me@example.org"})
    assert response.status_code == 302 and response["Location"].endswith("#follow")
    assert Follow.objects.get(contribution=item, user=person).confirmed_at is not None
    shown = client.get(page(item, "en")).content.decode()
    assert "You follow this contribution" in shown
    assert 'name="action" value="unfollow"' in shown
    assert 'id="follow-email"' not in shown
    # A follow confirmed from a link, under one of the account's verified addresses, counts.
    Follow.objects.filter(contribution=item).update(user=None, email="ME@example.org")
    assert "You follow this contribution" in client.get(page(item, "en")).content.decode()
    # Stopping.
    response = client.post(page(item, "en"), {"action": "unfollow"})
    assert response.status_code == 302 and response["Location"].endswith("#follow")
    assert not Follow.objects.filter(contribution=item).exists()
    shown = client.get(page(item, "en")).content.decode()
    assert "You follow this contribution" not in shown and 'id="follow-email"' in shown


def test_an_unconfirmed_follow_is_not_shown_as_following(item):
    person, client = verified("pending@example.org")
    factories.make_follow(item, email="pending@example.org", confirmed=False)
    assert "You follow this contribution" not in client.get(page(item, "en")).content.decode()


def test_stopping_needs_to_be_signed_in(item):
    follow = factories.make_follow(item, email="someone@example.org")
    response = Client().post(page(item, "en"), {"action": "unfollow"})
    assert response.status_code == 401
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_the_follow_form_says_the_same_whether_or_not_the_address_follows(
    item, django_capture_on_commit_callbacks
):
    factories.make_follow(item, email="already@example.org")

    def said(email):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(page(item, "en"), {"action": "follow", "email": email})
        assert response.status_code == 302
        shown = client.get(response["Location"]).content.decode()
        assert "confirm your address through the link" in shown
        return shown.count("confirm your address through the link")

    mail.outbox.clear()
    assert said("already@example.org") == said("new@example.org")
    # Both got the same confirmation email; the new address follows nothing yet.
    assert sorted(m.to[0] for m in mail.outbox) == ["already@example.org", "new@example.org"]
    assert not Follow.objects.filter(contribution=item, email="new@example.org").exists()


def test_the_follow_form_over_the_address_budget_is_refused_for_any_address(item):
    with override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS={"email_link": "1/h"}):
        codes = [
            Client(REMOTE_ADDR=f"10.7.0.{n}")
            .post(page(item, "en"), {"action": "follow", "email": "budget@example.org"})
            .status_code
            for n in range(2)
        ]
    assert codes == [302, 429]
