"""The receipt of a contribution sent with an email address: in the resident's language, with
its public link, what happens next, and how to follow it (one email: the receipt carries the
link that confirms the follow) or erase one's data. Sent only once the submission is stored.
"""

import re
import uuid
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.gis.geos import Point
from django.core import mail
from django.test import Client, override_settings

from contributions.models import Channel, Contribution, ModerationMode, Project, Status
from contributions.services import Submission
from staff.models import Role
from staff.services import answers, assisted_entry
from staff.services.emails import followers
from tests import factories
from tests.contributions.conftest import NICE, point

pytestmark = pytest.mark.django_db

SITE = "https://participer.example.org"
CONFIRM = re.compile(r"https?://\S+/confirm/\S+/")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def send(client, project, capture, *, language="it", **properties):
    feature = point(*NICE, consent=True, **properties)
    with capture(execute=True):
        response = client.post(
            f"/api/projects/{project.slug}/contributions/",
            feature,
            content_type="application/geo+json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 201, response.content
    return Contribution.objects.get(pk=response.json()["id"])


def test_a_receipt_in_italian_with_the_public_link_and_the_confirmation_link(
    demo, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    item = send(
        Client(),
        demo,
        django_capture_on_commit_callbacks,
        email="residente@example.org",
        title="Un abri à l'école\u2028Subject: injected",
    )
    assert item.language == "it"
    [receipt] = mail.outbox
    assert receipt.to == ["residente@example.org"]
    assert receipt.extra_headers["Content-Language"] == "it"
    assert "\n" not in receipt.subject and "PITER ALPIMED" in receipt.subject
    assert f"{SITE}/it/p/{demo.slug}/c/{item.pk}/" in receipt.body
    # Anyone may have typed this address: no text the sender chose reaches it (no relay).
    assert "abri" not in receipt.body + receipt.subject
    assert "injected" not in receipt.body + receipt.subject
    assert item.theme.name["it"] in receipt.body
    # What happens next: the project's promise in Italian (else its first language's).
    assert "Proposta" in receipt.body or "proposta" in receipt.body  # the kind, in Italian
    # How to follow: one link, and nothing is followed until its button is pressed.
    assert not item.follows.exists() and followers(item) == []
    assert "List-Unsubscribe" not in receipt.extra_headers
    link = urlparse(CONFIRM.search(receipt.body).group(0)).path
    assert link.startswith("/it/confirm/")
    assert Client().get(link).status_code == 200
    assert not item.follows.exists()
    Client().post(link, {"do": "follow"})
    follow = item.follows.get()
    assert follow.email == "residente@example.org" and follow.confirmed_at is not None
    assert [r.email for r in followers(item)] == ["residente@example.org"]
    # Erasure: the privacy page that mails a link to the address's data.
    assert f"{SITE}/it/privacy/by-email/" in receipt.body


def test_the_receipt_says_what_happens_next(demo, django_capture_on_commit_callbacks):
    Project.objects.filter(pk=demo.pk).update(
        promise={"fr": "Réponse sous un mois.", "it": "Risposta entro un mese."},
        participation_level="consult",
    )
    mail.outbox.clear()
    send(Client(), demo, django_capture_on_commit_callbacks, email="a@example.org")
    [receipt] = mail.outbox
    assert "Risposta entro un mese." in receipt.body
    assert "Réponse sous un mois." not in receipt.body


def test_an_item_awaiting_moderation_says_so(demo, django_capture_on_commit_callbacks):
    Project.objects.filter(pk=demo.pk).update(moderation=ModerationMode.BEFORE)
    mail.outbox.clear()
    item = send(
        Client(), demo, django_capture_on_commit_callbacks, language="en", email="b@example.org"
    )
    assert item.status == Status.SUBMITTED
    [receipt] = mail.outbox
    assert "once a moderator has read it" in receipt.body
    assert f"{SITE}/en/p/{demo.slug}/c/{item.pk}/" in receipt.body


def test_no_address_no_receipt_and_nothing_before_the_commit(
    demo, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    send(Client(), demo, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    # Captured but not run: nothing is sent while the submission may still roll back.
    feature = point(*NICE, consent=True, email="c@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Client().post(
            f"/api/projects/{demo.slug}/contributions/",
            feature,
            content_type="application/geo+json",
        )
    assert callbacks and mail.outbox == []


def test_a_refused_submission_sends_no_receipt(demo, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    feature = point(*NICE, consent=True, email="d@example.org", kind="nonsense")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/api/projects/{demo.slug}/contributions/",
            feature,
            content_type="application/geo+json",
        )
    assert response.status_code in (400, 422)
    assert mail.outbox == []


def test_the_signed_in_author_s_verified_address_follows_at_once(
    demo, django_capture_on_commit_callbacks
):
    person = factories.make_user(email="e@example.org")
    EmailAddress.objects.create(user=person, email="e@example.org", verified=True, primary=True)
    client = Client()
    client.force_login(person)
    mail.outbox.clear()
    item = send(
        client,
        demo,
        django_capture_on_commit_callbacks,
        email="e@example.org",
        title="Un abri à l'école",
    )
    follow = item.follows.get()
    assert follow.confirmed_at is not None
    [receipt] = mail.outbox
    # Their own address: the receipt names what they sent, as plain text (not "l&#x27;").
    assert "Un abri à l'école" in receipt.body and "&#x27;" not in receipt.body
    assert not CONFIRM.search(receipt.body)
    unfollow = f"{SITE}/it/unfollow/{follow.token}/"
    assert unfollow in receipt.body
    assert receipt.extra_headers["List-Unsubscribe"] == f"<{unfollow}>"
    assert receipt.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_assisted_entry_with_an_address_gets_the_same_receipt(
    demo, django_capture_on_commit_callbacks
):
    staff = factories.make_user(staff=True)
    factories.give_role(staff, demo, Role.MODERATOR)
    submission = Submission(
        kind="proposal",
        theme=demo.themes.first().slug,
        title="Una panchina alla fermata",
        geometry=Point(*NICE, srid=4326),
        channel=Channel.PHONE,
        consent=True,
        language="it",
        email="telefono@example.org",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = assisted_entry.record_contribution(actor=staff, project=demo, submission=submission)
    [receipt] = mail.outbox
    assert receipt.to == ["telefono@example.org"]
    assert receipt.extra_headers["Content-Language"] == "it"
    assert "Una panchina alla fermata" in receipt.body
    # Published in the same transaction: the receipt, written after it, says so.
    assert f"{SITE}/it/p/{demo.slug}/c/{item.pk}/" in receipt.body
    assert "moderator" not in receipt.body
    # Staff took the address down from the resident: it follows at once, with a stop link.
    follow = item.follows.get()
    assert follow.confirmed_at is not None
    assert receipt.extra_headers["List-Unsubscribe"] == f"<{SITE}/it/unfollow/{follow.token}/>"
    # Without an address, no receipt.
    mail.outbox.clear()
    submission.email = ""
    with django_capture_on_commit_callbacks(execute=True):
        assisted_entry.record_contribution(actor=staff, project=demo, submission=submission)
    assert mail.outbox == []


def test_past_the_address_s_budget_the_contribution_is_stored_without_a_receipt(
    demo, django_capture_on_commit_callbacks
):
    victim = f"victim-{uuid.uuid4().hex[:8]}@example.org"
    mail.outbox.clear()
    with override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS={"email_link": "2/h"}):
        items = [
            send(
                Client(REMOTE_ADDR=f"10.8.0.{n}"),
                demo,
                django_capture_on_commit_callbacks,
                email=victim,
            )
            for n in range(3)
        ]
    assert len(items) == 3
    assert len([m for m in mail.outbox if m.to == [victim]]) == 2


def test_the_author_s_follow_confirmed_from_the_receipt_gets_the_answer(
    demo, django_capture_on_commit_callbacks
):
    moderator = factories.make_user(staff=True)
    factories.give_role(moderator, demo, Role.MODERATOR)
    mail.outbox.clear()
    item = send(Client(), demo, django_capture_on_commit_callbacks, email="f@example.org")
    [receipt] = mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        answers.set_status(
            actor=moderator, contribution=item, status=Status.PLANNED, answer="Prevista."
        )
    assert len(mail.outbox) == 1  # not confirmed yet: nothing
    Client().post(urlparse(CONFIRM.search(receipt.body).group(0)).path, {"do": "follow"})
    with django_capture_on_commit_callbacks(execute=True):
        answers.set_status(actor=moderator, contribution=item, status=Status.DONE, answer="Fatto.")
    assert [m.to for m in mail.outbox[1:]] == [["f@example.org"]]
