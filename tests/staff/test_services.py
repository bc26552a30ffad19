"""Moderation, answers, duplicates and assisted entry: each writes the audit log and the
public history; answers reach followers by email in their language."""

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.core import mail

from contributions.models import (
    AbuseReport,
    Channel,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    ModerationMode,
    Project,
    Status,
    StatusChange,
    Vote,
)
from contributions.services import Submission
from core.errors import DomainError
from staff.models import Action, AuditEntry
from staff.selectors.duplicates import duplicate_counts, possible_duplicates
from staff.selectors.queue import contribution_queue
from staff.services import answers, assisted_entry, duplicates, moderation
from territories.models import Territory
from tests.factories import make_follow

pytestmark = pytest.mark.django_db
METRE = 1 / 111_320  # of latitude, in degrees


@pytest.fixture
def spot(demo):
    """A point well inside the perimeter, in a commune of the demo."""
    commune = (
        Territory.objects.filter(perimeters=demo.perimeter, name__icontains="Sospel")
        .annotate(spot=PointOnSurface("geom"))
        .first()
    ) or Territory.objects.filter(perimeters=demo.perimeter).annotate(
        spot=PointOnSurface("geom")
    ).first()
    return commune.spot


def make(project, title, point, *, status=Status.PUBLISHED, description="", **extra):
    return Contribution.objects.create(
        project=project,
        kind="report",
        theme=project.themes.first(),
        title=title,
        description=description,
        geom=Point(point.x, point.y, srid=4326),
        status=status,
        **extra,
    )


def test_hiding_and_publishing_write_the_audit_log_and_the_history(demo, moderator):
    item = Contribution.objects.filter(project=demo, status=Status.PLANNED).first()
    StatusChange.objects.create(contribution=item, status=Status.PLANNED)
    moderation.moderate(
        actor=moderator,
        project=demo,
        action=Action.HIDE,
        contribution_ids=[item.pk],
        reason=moderation.reason_text(choice="abusive"),
    )
    item.refresh_from_db()
    assert item.status == Status.HIDDEN
    entry = AuditEntry.objects.get(target_id=item.pk)
    assert (entry.actor, entry.action, entry.details["from"], entry.details["to"]) == (
        moderator,
        Action.HIDE,
        Status.PLANNED,
        Status.HIDDEN,
    )
    assert entry.reason and entry.created_at
    assert item.history.last().status == Status.HIDDEN
    assert item.history.last().changed_by == moderator

    moderation.moderate(
        actor=moderator,
        project=demo,
        action=Action.PUBLISH,
        contribution_ids=[item.pk],
        reason=moderation.reason_text(typed="Checked with the author"),
    )
    item.refresh_from_db()
    # Back to the status it had before it was hidden.
    assert item.status == Status.PLANNED
    assert item.history.last().status == Status.PLANNED
    assert AuditEntry.objects.filter(target_id=item.pk).first().reason == "Checked with the author"
    assert AuditEntry.objects.filter(target_id=item.pk).count() == 2


def test_bulk_moderation_of_contributions_and_comments(demo, moderator, spot):
    items = [make(demo, f"Waiting {n}", spot, status=Status.SUBMITTED) for n in range(3)]
    published = items[0]
    comment = Comment.objects.create(
        contribution=make(demo, "Commented", spot), body="Rude words", status="published"
    )
    Contribution.objects.filter(pk=comment.contribution_id).update(comment_count=1)
    done = moderation.moderate(
        actor=moderator,
        project=demo,
        action=Action.PUBLISH,
        contribution_ids=[i.pk for i in items],
    )
    assert done == 3
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED and published.published_at
    moderation.moderate(actor=moderator, project=demo, action=Action.HIDE, comment_ids=[comment.pk])
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert Contribution.objects.get(pk=comment.contribution_id).comment_count == 0
    assert AuditEntry.objects.filter(target_type="comment", target_id=comment.pk).exists()


def test_reported_items_rise_in_the_queue_and_review_clears_them(demo, moderator, spot):
    Project.objects.filter(pk=demo.pk).update(moderation=ModerationMode.BEFORE)
    demo = Project.objects.get(pk=demo.pk)  # the module's demo object stays as it was
    reported = make(demo, "Reported twice", spot, report_count=2)
    for who in ("anon:1", "anon:2"):
        AbuseReport.objects.create(contribution=reported, participant=who, reason="spam")
    waiting = make(demo, "Waiting", spot, status=Status.SUBMITTED)
    queue = list(contribution_queue(demo))
    assert queue[0] == reported
    assert waiting in queue
    moderation.moderate(
        actor=moderator, project=demo, action=Action.PUBLISH, contribution_ids=[reported.pk]
    )
    reported.refresh_from_db()
    assert reported.report_count == 0
    assert not AbuseReport.objects.filter(contribution=reported, reviewed_at__isnull=True).exists()
    assert AuditEntry.objects.get(target_id=reported.pk).details["reports_reviewed"] == 2
    assert reported not in contribution_queue(demo)


def test_after_moderation_items_wait_until_someone_reviews_them(demo, moderator, spot):
    item = make(demo, "Published at once", spot)
    assert item in contribution_queue(demo)
    moderation.moderate(
        actor=moderator, project=demo, action=Action.PUBLISH, contribution_ids=[item.pk]
    )
    assert item not in contribution_queue(demo)


def test_an_answer_sends_one_email_per_follower_in_their_language(
    demo, moderator, spot, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://participer.example.org"
    item = make(demo, "Dangerous crossing", spot, email="author@example.org")
    make_follow(contribution=item, email="author@example.org", language="it")
    make_follow(contribution=item, email="neighbour@example.org", language="en-GB")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answers.set_status(
            actor=moderator,
            contribution=item,
            status=Status.PLANNED,
            answer="A pedestrian crossing is planned for spring.",
        )
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    italian, english = by_address["author@example.org"], by_address["neighbour@example.org"]
    assert italian.extra_headers["Content-Language"] == "it"
    assert english.extra_headers["Content-Language"] == "en"
    assert f"https://participer.example.org/it/p/{demo.slug}/c/{item.pk}/" in italian.body
    assert f"https://participer.example.org/en/p/{demo.slug}/c/{item.pk}/" in english.body
    assert "A pedestrian crossing is planned for spring." in english.body
    assert "Dangerous crossing" in english.subject
    assert "PITER ALPIMED: il territorio di domani" in italian.body
    assert "PITER ALPIMED: tomorrow's territory" in english.body

    item.refresh_from_db()
    assert item.status == Status.PLANNED and item.answered_at
    change = item.history.last()
    assert (change.status, change.answer, change.changed_by) == (
        Status.PLANNED,
        item.answer,
        moderator,
    )
    entry = AuditEntry.objects.get(target_id=item.pk)
    assert entry.action == Action.STATUS and entry.details["to"] == Status.PLANNED


def test_nothing_is_sent_when_the_answer_is_refused(
    demo, moderator, spot, django_capture_on_commit_callbacks
):
    item = make(demo, "No answer", spot)
    make_follow(contribution=item, email="f@example.org", language="fr")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as error:
        answers.set_status(actor=moderator, contribution=item, status=Status.ACCEPTED)
    assert error.value.code == "answer_required"
    assert mail.outbox == [] and not AuditEntry.objects.exists()


def test_near_identical_texts_40_m_apart_are_possible_duplicates_but_not_2_km_away(demo, spot):
    title = "Nid-de-poule dangereux devant l'école Jules Ferry"
    first = make(demo, title, spot)
    near = make(
        demo,
        "Nid de poule dangereux devant l'école Jules-Ferry",
        Point(spot.x, spot.y + 40 * METRE),
    )
    far = make(demo, title, Point(spot.x, spot.y + 2000 * METRE))
    unrelated = make(demo, "Banc cassé au jardin public", Point(spot.x, spot.y + 20 * METRE))
    found = {d.id: d for d in possible_duplicates(near)}
    assert str(first.pk) in found
    assert 35 < found[str(first.pk)].distance_m < 45
    assert str(far.pk) not in found and str(unrelated.pk) not in found
    assert str(near.pk) not in {d.id for d in possible_duplicates(far)}
    counts = duplicate_counts(demo, [near.pk, far.pk])
    assert counts.get(str(near.pk), 0) >= 1
    assert str(first.pk) not in {d.id for d in possible_duplicates(far)}


def test_marking_a_duplicate_moves_votes_without_double_votes_and_followers(
    demo, moderator, spot, django_capture_on_commit_callbacks
):
    original = make(demo, "Original", spot)
    copy = make(demo, "Copy", Point(spot.x, spot.y + 30 * METRE))
    for participant in ("user:1", "anon:a"):
        Vote.objects.create(contribution=original, participant=participant)
    for participant in ("user:1", "anon:b"):  # user:1 voted on both
        Vote.objects.create(contribution=copy, participant=participant)
    make_follow(contribution=original, email="same@example.org", language="fr")
    make_follow(contribution=copy, email="same@example.org", language="fr")
    make_follow(contribution=copy, email="other@example.org", language="it")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        duplicates.mark_duplicate(actor=moderator, contribution=copy, original=original)
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
    assert sorted(
        Vote.objects.filter(contribution=original).values_list("participant", flat=True)
    ) == ["anon:a", "anon:b", "user:1"]
    # The original keeps its votes plus the duplicate's, one per participant; the vote given
    # to both stays on the duplicate, so the two items' total is unchanged (4).
    assert original.vote_count == 3 and copy.vote_count == 1
    assert list(Vote.objects.filter(contribution=copy).values_list("participant", flat=True)) == [
        "user:1"
    ]
    assert Vote.objects.filter(contribution__in=[original, copy]).count() == 4
    assert sorted(Follow.objects.filter(contribution=original).values_list("email", flat=True)) == [
        "other@example.org",
        "same@example.org",
    ]
    assert copy.history.last().status == Status.DUPLICATE
    assert AuditEntry.objects.get(target_id=copy.pk).details["votes_moved"] == 1
    assert len(mail.outbox) == 2
    assert all(f"/c/{original.pk}/" in message.body for message in mail.outbox)
    with pytest.raises(DomainError):
        duplicates.mark_duplicate(actor=moderator, contribution=original, original=copy)


def test_assisted_entry_records_channel_consent_and_the_staff_member(demo, moderator, spot):
    submission = Submission(
        kind="proposal",
        theme=demo.themes.first().slug,
        title="Un banc à l'arrêt de bus",
        geometry=Point(spot.x, spot.y, srid=4326),
        channel=Channel.PAPER,
        consent=True,
        language="it",
    )
    item = assisted_entry.record_contribution(actor=moderator, project=demo, submission=submission)
    item.refresh_from_db()
    assert item.channel == Channel.PAPER
    assert item.consent_at and item.terms_version == demo.terms_version
    assert item.recorded_by == moderator and item.author is None and item.email == ""
    assert item.language == "it" and item.is_public
    assert AuditEntry.objects.get(target_id=item.pk).action == Action.RECORD

    refused = Submission(**{**submission.__dict__, "consent": False})
    with pytest.raises(DomainError) as error:
        assisted_entry.record_contribution(actor=moderator, project=demo, submission=refused)
    assert error.value.code == "consent_required"
    online = Submission(**{**submission.__dict__, "channel": Channel.ONLINE})
    with pytest.raises(DomainError):
        assisted_entry.record_contribution(actor=moderator, project=demo, submission=online)


def test_assisted_entry_page_with_a_commune_only(client, demo, moderator):
    commune = Territory.objects.filter(perimeters=demo.perimeter).order_by("name").first()
    client.force_login(moderator)
    url = f"/fr/staff/{demo.slug}/record/"
    data = {
        "channel": "workshop",
        "kind": "proposal",
        "theme": demo.themes.first().slug,
        "title": "Navette vers le marché",
        "commune": commune.code,
        "language": "fr",
        "email": "",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_consent_error"' in page and 'aria-describedby="id_consent_error"' in page
    response = client.post(url, {**data, "consent": "on"})
    assert response.status_code == 302
    item = Contribution.objects.get(title="Navette vers le marché")
    assert item.channel == Channel.WORKSHOP and item.consent_at and item.commune == commune


@pytest.mark.parametrize("status", [Status.HIDDEN, Status.SUBMITTED])
def test_marking_a_hidden_or_unmoderated_item_as_duplicate_never_publishes_it(
    demo, moderator, spot, status
):
    original = make(demo, "Original published", spot)
    unseen = make(demo, "Not for the public", Point(spot.x, spot.y + 30 * METRE), status=status)
    with pytest.raises(DomainError) as refused:
        duplicates.mark_duplicate(actor=moderator, contribution=unseen, original=original)
    assert refused.value.code == "not_published" and refused.value.status == 409
    unseen.refresh_from_db()
    assert unseen.status == status and unseen.duplicate_of is None
    assert not unseen.history.exists()
