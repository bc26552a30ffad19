"""Every browser write is refused without its CSRF token: the pages' forms, the staff forms,
and the map's fetch POSTs for a signed-in user (the session is what an attacker would ride)."""

import json

import pytest
from django.core import mail
from django.test import Client

from contributions import email_links
from contributions.models import Contribution, Project, Status, VoteIdentity
from staff.models import Role
from tests import factories
from tests.contributions.conftest import NICE, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(demo):
    return factories.make_contribution(demo, status=Status.PUBLISHED)


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "form",
    [
        {"action": "vote"},
        {"action": "unvote"},
        {"action": "comment", "body": "x"},
        {"action": "follow", "email": "a@example.org"},
        {"action": "report", "reason": "x"},
    ],
    ids=lambda form: form["action"],
)
def test_contribution_page_forms_need_the_token(demo, target, form):
    url = f"/fr/p/{demo.slug}/c/{target.pk}/"
    for client in (Client(enforce_csrf_checks=True), signed_in(factories.make_user())):
        assert client.post(url, form).status_code == 403
    target.refresh_from_db()
    assert (target.vote_count, target.comment_count, target.report_count) == (0, 0, 0)


def test_the_forms_work_with_the_token(demo, target):
    url = f"/fr/p/{demo.slug}/c/{target.pk}/"
    for client in (Client(enforce_csrf_checks=True), signed_in(factories.make_user())):
        client.get(url)
        token = client.cookies["csrftoken"].value
        response = client.post(url, {"action": "report", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    response = client.post(url, {"action": "vote", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.vote_count, target.report_count) == (1, 2)


def test_map_fetch_posts_of_a_signed_in_user_need_the_token(demo, target):
    client = signed_in(factories.make_user())
    base = f"/api/projects/{demo.slug}/contributions/"
    before = Contribution.objects.count()
    answers = [
        client.post(base, json.dumps(point(*NICE)), content_type="application/geo+json"),
        client.post(f"{base}{target.pk}/vote/"),
        client.delete(f"{base}{target.pk}/vote/"),
        client.post(f"{base}{target.pk}/comments/", {"body": "x"}, "application/json"),
    ]
    assert [a.status_code for a in answers] == [403] * 4
    assert all(a.json()["code"] for a in answers)
    assert Contribution.objects.count() == before
    # With the token (what the map sends in X-CSRFToken), the same write goes through.
    client.get(f"/fr/p/{demo.slug}/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"{base}{target.pk}/vote/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_staff_forms_need_the_token(demo, target):
    client = signed_in(factories.give_role(factories.make_user(), demo, Role.MODERATOR))
    moderate = client.post(
        f"/fr/staff/{demo.slug}/moderate/",
        {"action": "hide", "items": [f"contribution:{target.pk}"], "reason_text": "x"},
    )
    answer = client.post(
        f"/fr/staff/{demo.slug}/c/{target.pk}/", {"status": "accepted", "answer": "ok"}
    )
    assert (moderate.status_code, answer.status_code) == (403, 403)
    target.refresh_from_db()
    assert target.status == Status.PUBLISHED


def test_sign_in_forms_need_the_token(demo):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/fr/accounts/login/code/", {"email": "a@example.org"}).status_code == 403
    assert client.post("/fr/accounts/signup/", {"email": "a@example.org"}).status_code == 403


def test_anonymous_vote_requests_and_comments_need_the_token(demo, target):
    """Another site must not make a visitor ask for vote links or comment in their name.
    (The token proves little about who asks: a client can make up its own cookie and token.
    That is why a vote needs an account or a confirmed address, tests/security/
    test_participation_integrity.py.)"""
    Project.objects.filter(pk=demo.pk).update(vote_identity=VoteIdentity.ACCOUNT_OR_EMAIL)
    client = Client(enforce_csrf_checks=True)
    client.get(f"/fr/p/{demo.slug}/")  # the visitor's token
    base = f"/api/projects/{demo.slug}/contributions/{target.pk}/"
    email = {"email": "a@example.org"}
    answers = [
        client.post(f"{base}vote/", email, "application/json"),
        client.post(f"{base}comments/", {"body": "x"}, "application/json"),
    ]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(403, "csrf_failed")] * 2
    assert not mail.outbox and not target.comments.exists()
    token = client.cookies["csrftoken"].value
    answer = client.post(f"{base}vote/", email, "application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 202
    target.refresh_from_db()
    assert target.vote_count == 0  # counted once the emailed link is confirmed


def test_the_confirmation_and_unfollow_buttons_need_the_token(demo, target):
    link = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.FOLLOW, contribution_id=str(target.pk), email="b@example.org"
        )
    )
    follow = target.follows.create(email="c@example.org")
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/fr/confirm/{link}/", {"do": "follow"}).status_code == 403
    assert client.post(f"/fr/unfollow/{follow.token}/").status_code == 403
    assert list(target.follows.values_list("email", flat=True)) == ["c@example.org"]
