"""One person, one weight: clients without cookies (a new anonymous session on every request,
with a CSRF cookie and token they make up themselves, which Django accepts) neither hide an
item nor add votes; reports count towards hiding only from distinct signed-in people, and an
answered or planned item is never hidden without a moderator. Reading a page writes no
session."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from contributions import services
from contributions.models import AbuseReport, CommentStatus, Status, Vote
from contributions.participants import email_participant, user_participant
from core.errors import DomainError
from staff.selectors.queue import comment_queue, contribution_queue
from tests import factories

pytestmark = pytest.mark.django_db

INVENTED = "a" * 32  # a CSRF secret the client made up: cookie and form field agree


def cookieless():
    """A client that keeps no cookie between requests, carrying its own CSRF pair."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = INVENTED
    return client


def page(item):
    return f"/fr/p/{item.project.slug}/c/{item.pk}/"


def report_from_new_clients(item, count, **form):
    for _n in range(count):
        response = cookieless().post(
            page(item), {"action": "report", "csrfmiddlewaretoken": INVENTED, **form}
        )
        assert response.status_code == 302


@pytest.fixture
def planned(demo):
    return factories.make_contribution(
        demo, status=Status.PLANNED, answer="Prévu pour 2026.", answered_at=timezone.now()
    )


@pytest.fixture
def published(demo):
    return factories.make_contribution(demo, status=Status.PUBLISHED)


def test_cookieless_reports_raise_a_planned_item_in_the_queue_but_never_hide_it(demo, planned):
    report_from_new_clients(planned, demo.report_threshold + 2, reason="spam")
    planned.refresh_from_db()
    assert planned.status == Status.PLANNED
    assert planned.report_count == demo.report_threshold + 2
    assert contribution_queue(demo).first() == planned
    assert Client().get(page(planned)).status_code == 200


def test_anonymous_reports_never_hide_even_an_unanswered_item(demo, published):
    report_from_new_clients(published, demo.report_threshold * 3)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert contribution_queue(demo).first() == published


def test_distinct_signed_in_reporters_hide_an_unanswered_item(demo, published):
    threshold = demo.report_threshold
    people = [factories.make_user() for _n in range(threshold)]
    for person in people[:-1]:
        for _twice in range(2):  # one person reporting twice counts once
            services.report_abuse(contribution=published, participant=user_participant(person))
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    services.report_abuse(contribution=published, participant=user_participant(people[-1]))
    published.refresh_from_db()
    assert published.status == Status.HIDDEN
    assert published in contribution_queue(demo)


def test_signed_in_reporters_never_hide_an_answered_or_planned_item(demo, planned):
    answered = factories.make_contribution(
        demo, status=Status.UNDER_REVIEW, answer="Nous regardons.", answered_at=timezone.now()
    )
    rejected = factories.make_contribution(demo, status=Status.REJECTED)
    people = [factories.make_user() for _n in range(demo.report_threshold + 1)]
    for item in (planned, answered, rejected):
        for person in people:
            services.report_abuse(contribution=item, participant=user_participant(person))
        item.refresh_from_db()
        assert item.status != Status.HIDDEN, item.status
        assert item in contribution_queue(demo)


def test_reviewed_reports_no_longer_count(demo, published):
    people = [factories.make_user() for _n in range(demo.report_threshold)]
    for person in people[:-1]:
        services.report_abuse(contribution=published, participant=user_participant(person))
    AbuseReport.objects.filter(contribution=published).update(reviewed_at=timezone.now())
    services.report_abuse(contribution=published, participant=user_participant(people[-1]))
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


def test_comments_are_hidden_by_signed_in_reporters_only(demo, published):
    comment = factories.make_comment(published)
    report_from_new_clients(published, demo.report_threshold + 1, comment=str(comment.pk))
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert comment_queue(demo).first() == comment
    for _n in range(demo.report_threshold):
        person = factories.make_user()
        services.report_abuse(
            contribution=published, participant=user_participant(person), comment=comment
        )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN


def test_cookieless_clients_cannot_vote(demo, published):
    api = f"/api/projects/{demo.slug}/contributions/{published.pk}/vote/"
    for _n in range(5):
        form = cookieless().post(
            page(published), {"action": "vote", "csrfmiddlewaretoken": INVENTED}
        )
        assert form.status_code == 401
        answer = cookieless().post(api, HTTP_X_CSRFTOKEN=INVENTED)
        assert (answer.status_code, answer.json()["code"]) == (401, "sign_in_to_vote")
    published.refresh_from_db()
    assert published.vote_count == 0
    assert not Vote.objects.filter(contribution=published).exists()


def test_the_vote_service_refuses_sessions_and_unconfirmed_identities(demo, published):
    for participant in (None, "anon:abc", email_participant("a@example.org")):
        with pytest.raises(DomainError) as refused:
            services.vote(contribution=published, participant=participant)
        assert refused.value.code == "sign_in_to_vote"
    assert not Vote.objects.filter(contribution=published).exists()


def test_signed_in_people_vote_once_each(demo, published):
    people = [factories.make_user() for _n in range(3)]
    for person in people:
        client = Client()
        client.force_login(person)
        for _twice in range(2):
            client.post(page(published), {"action": "vote"})
    published.refresh_from_db()
    assert published.vote_count == 3 == Vote.objects.filter(contribution=published).count()


def test_reading_pages_writes_no_session(demo, published):
    before = Session.objects.count()
    client = Client()
    for url in (
        "/fr/",
        f"/fr/p/{demo.slug}/",
        f"/fr/p/{demo.slug}/list/",
        page(published),
        f"/it/p/{demo.slug}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "sessionid" not in response.cookies, url
    assert Session.objects.count() == before


def test_an_anonymous_report_opens_the_session_it_needs(demo, published):
    before = Session.objects.count()
    client = Client()
    client.post(page(published), {"action": "report"})
    client.post(page(published), {"action": "report"})  # the same session: once
    assert Session.objects.count() == before + 1
    assert AbuseReport.objects.filter(contribution=published).count() == 1


def test_anonymous_comments_wait_for_a_moderator(demo, published):
    assert demo.moderation == "after" and demo.allow_anonymous
    response = Client().post(page(published), {"action": "comment", "body": "Spam spam"})
    assert response.status_code == 302
    comment = published.comments.get(body="Spam spam")
    assert comment.status == CommentStatus.SUBMITTED
    assert comment in comment_queue(demo)
    person = factories.make_user()
    client = Client()
    client.force_login(person)
    client.post(page(published), {"action": "comment", "body": "Bonne idée"})
    assert published.comments.get(body="Bonne idée").status == CommentStatus.PUBLISHED
