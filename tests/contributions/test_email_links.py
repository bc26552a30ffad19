"""Addresses confirmed by a mailed link: email votes (one per address and contribution) and
follows (no email reaches an address its owner did not confirm). Opening a link changes
nothing; its button does. The unfollow link asks too."""

import re
import uuid
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.test import Client, override_settings

from contributions import email_links
from contributions.models import Contribution, Follow, Project, Status, Vote, VoteIdentity
from contributions.participants import email_participant, normalised_email
from staff.services.emails import followers
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/confirm/\S+/")


@pytest.fixture
def target(demo):
    return factories.make_contribution(demo, status=Status.PUBLISHED)


@pytest.fixture
def email_votes(demo):
    Project.objects.filter(pk=demo.pk).update(vote_identity=VoteIdentity.ACCOUNT_OR_EMAIL)


def page(item, language="fr"):
    return f"/{language}/p/{item.project.slug}/c/{item.pk}/"


def link_sent_to(address):
    [message] = [m for m in mail.outbox if m.to == [address]][-1:]
    return urlparse(LINK.search(message.body).group(0)).path


def ask(client, item, capture, **form):
    with capture(execute=True):
        return client.post(page(item), form)


# ----------------------------------------------------------------------------- votes


def test_an_email_vote_counts_once_the_link_is_opened_and_confirmed(
    demo, target, email_votes, django_capture_on_commit_callbacks
):
    response = ask(
        Client(), target, django_capture_on_commit_callbacks, action="vote", email="Ana@Example.org"
    )
    assert response.status_code == 302
    assert not Vote.objects.filter(contribution=target).exists()
    link = link_sent_to("Ana@Example.org")
    [message] = mail.outbox
    assert target.title not in message.body and target.title not in message.subject
    # Opening the link (a mail scanner, a preview, HEAD) counts nothing.
    opened = Client().get(link)
    assert opened.status_code == 200 and 'name="do" value="vote"' in opened.content.decode()
    factories.assert_escaped(opened.content.decode(), target.title)
    assert Client().head(link).status_code == 200
    assert not Vote.objects.filter(contribution=target).exists()
    # The button does.
    assert Client().post(link, {"do": "vote"}).status_code == 302
    vote = Vote.objects.get(contribution=target)
    assert vote.participant == email_participant("ana@example.org")
    assert "ana" not in vote.participant
    target.refresh_from_db()
    assert target.vote_count == 1


def test_one_vote_per_address_however_it_is_spelt(
    demo, target, email_votes, django_capture_on_commit_callbacks
):
    spellings = ["ana.b@gmail.com", "AnaB+maps@gmail.com", "a.n.a.b@googlemail.com"]
    assert len({normalised_email(s) for s in spellings}) == 1
    for spelling in spellings:
        ask(Client(), target, django_capture_on_commit_callbacks, action="vote", email=spelling)
        Client().post(link_sent_to(spelling), {"do": "vote"})
        Client().post(link_sent_to(spelling), {"do": "vote"})  # the same link twice
    target.refresh_from_db()
    assert target.vote_count == 1 == Vote.objects.filter(contribution=target).count()


def test_the_link_withdraws_a_vote_already_counted(
    demo, target, email_votes, django_capture_on_commit_callbacks
):
    ask(Client(), target, django_capture_on_commit_callbacks, action="vote", email="b@example.org")
    link = link_sent_to("b@example.org")
    Client().post(link, {"do": "vote"})
    assert 'name="do" value="unvote"' in Client().get(link).content.decode()
    Client().post(link, {"do": "unvote"})
    target.refresh_from_db()
    assert target.vote_count == 0


def test_a_link_is_for_its_contribution_only_and_cannot_be_altered(
    demo, target, email_votes, django_capture_on_commit_callbacks
):
    ask(Client(), target, django_capture_on_commit_callbacks, action="vote", email="c@example.org")
    link = link_sent_to("c@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert Client().post(f"/fr/confirm/{forged}/", {"do": "vote"}).status_code == 404
    other = factories.make_contribution(demo, status=Status.PUBLISHED)
    data = signing.loads(token, salt=email_links.SALT)
    unsigned = signing.dumps({**data, "c": str(other.pk)}, key="guess", salt=email_links.SALT)
    assert Client().post(f"/fr/confirm/{unsigned}/", {"do": "vote"}).status_code == 404
    assert not Vote.objects.filter(contribution__in=[target, other]).exists()


def test_an_expired_link_is_refused(demo, target, email_votes, monkeypatch):
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.VOTE,
            contribution_id=str(target.pk),
            participant=email_participant("d@example.org"),
        )
    )
    monkeypatch.setattr(email_links, "LINK_LIFETIME", timedelta(seconds=-1))
    response = Client().post(f"/en/confirm/{token}/", {"do": "vote"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Vote.objects.filter(contribution=target).exists()


def test_projects_that_ask_for_an_account_take_no_email_vote(
    demo, target, django_capture_on_commit_callbacks
):
    assert demo.vote_identity == VoteIdentity.ACCOUNT  # the default
    response = ask(
        Client(), target, django_capture_on_commit_callbacks, action="vote", email="e@example.org"
    )
    assert response.status_code == 401
    assert not mail.outbox
    page_html = Client().get(page(target)).content.decode()
    assert 'id="vote-email"' not in page_html and "/accounts/login/" in page_html
    # Nor a link made while the project allowed them.
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.VOTE,
            contribution_id=str(target.pk),
            participant=email_participant("e@example.org"),
        )
    )
    assert Client().post(f"/fr/confirm/{token}/", {"do": "vote"}).status_code == 401
    assert not Vote.objects.filter(contribution=target).exists()


def test_the_api_mails_a_link_for_an_anonymous_vote(
    client, demo, target, email_votes, django_capture_on_commit_callbacks
):
    url = f"/api/projects/{demo.slug}/contributions/{target.pk}/vote/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "f@example.org"}, content_type="application/json")
    assert response.status_code == 202 and response.json()["confirmation_sent"] is True
    assert link_sent_to("f@example.org")
    without = client.post(url, {}, content_type="application/json")
    assert (without.status_code, without.json()["code"]) == (401, "sign_in_to_vote")
    bad = client.post(url, {"email": "nope"}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_email")
    assert client.delete(url).status_code == 401
    assert client.get(f"/api/projects/{demo.slug}/").json()["vote_identity"] == "account_or_email"


# --------------------------------------------------------------------------- follows


def test_an_anonymous_follow_writes_nothing_until_confirmed(
    demo, target, django_capture_on_commit_callbacks
):
    response = ask(
        Client(), target, django_capture_on_commit_callbacks, action="follow", email="g@example.org"
    )
    assert response.status_code == 302
    assert not Follow.objects.filter(contribution=target).exists()
    assert followers(target) == []
    link = link_sent_to("g@example.org")
    assert Client().get(link).status_code == 200
    assert not Follow.objects.filter(contribution=target).exists()
    Client().post(link, {"do": "follow"})
    Client().post(link, {"do": "follow"})
    follow = Follow.objects.get(contribution=target)
    assert (follow.email, follow.language) == ("g@example.org", "fr")


def test_a_signed_in_person_follows_with_their_verified_address_at_once(
    demo, target, django_capture_on_commit_callbacks
):
    person = factories.make_user(email="h@example.org")
    EmailAddress.objects.create(user=person, email="h@example.org", verified=True, primary=True)
    client = Client()
    client.force_login(person)
    ask(client, target, django_capture_on_commit_callbacks, action="follow", email="H@example.org")
    assert Follow.objects.filter(contribution=target, user=person).exists()
    assert not mail.outbox
    # Someone else's address, even signed in: a link first.
    ask(client, target, django_capture_on_commit_callbacks, action="follow", email="i@example.org")
    assert not Follow.objects.filter(contribution=target, email="i@example.org").exists()
    assert link_sent_to("i@example.org")


def test_the_email_left_with_a_contribution_is_confirmed_before_it_is_followed(
    client, demo, django_capture_on_commit_callbacks
):
    from tests.contributions.conftest import NICE, point

    feature = point(*NICE, email="author@example.org", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/projects/{demo.slug}/contributions/",
            feature,
            content_type="application/geo+json",
        )
    assert response.status_code == 201
    created = Contribution.objects.get(pk=response.json()["id"])
    assert created.email == "author@example.org"  # staff may still contact the author
    assert not created.follows.exists()
    Client().post(link_sent_to("author@example.org"), {"do": "follow"})
    assert created.follows.get().email == "author@example.org"


def test_follow_links_work_for_the_author_s_item_awaiting_moderation(demo):
    item = factories.make_contribution(demo, status=Status.SUBMITTED, email="j@example.org")
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.FOLLOW, contribution_id=str(item.pk), email="j@example.org"
        )
    )
    opened = Client().get(f"/fr/confirm/{token}/").content.decode()
    assert item.title not in opened  # not public yet: the page does not show it
    assert Client().post(f"/fr/confirm/{token}/", {"do": "follow"}).status_code == 200
    assert item.follows.filter(email="j@example.org").exists()


def test_too_many_links_to_one_address_are_refused_whoever_asks(demo, target):
    """The budget is the address's: many clients cannot flood one inbox."""
    victim = f"victim-{uuid.uuid4().hex[:8]}@example.org"
    with override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS={"email_link": "2/h"}):
        for n in range(2):
            response = Client(REMOTE_ADDR=f"10.9.0.{n}").post(
                page(target), {"action": "follow", "email": victim}
            )
            assert response.status_code == 302
        spelt_otherwise = victim.replace("@", "+x@").upper()
        response = Client(REMOTE_ADDR="10.9.0.9").post(
            page(target), {"action": "follow", "email": spelt_otherwise}
        )
        assert response.status_code == 429 and int(response["Retry-After"]) >= 1


# ---------------------------------------------------------------------------- unfollow


def test_unfollow_asks_before_it_acts(demo, target):
    follow = Follow.objects.create(contribution=target, email="l@example.org", language="it")
    url = f"/it/unfollow/{follow.token}/"
    opened = Client().get(url)
    assert opened.status_code == 200 and "<form" in opened.content.decode()
    assert Client().head(url).status_code == 200
    assert Follow.objects.filter(pk=follow.pk).exists()
    assert Client().post(url).status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 200  # twice: still not following


def test_the_unfollow_form_needs_its_token(demo, target):
    follow = Follow.objects.create(contribution=target, email="m@example.org")
    assert Client(enforce_csrf_checks=True).post(f"/fr/unfollow/{follow.token}/").status_code == 403
    assert Follow.objects.filter(pk=follow.pk).exists()
