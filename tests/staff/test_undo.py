"""Undoing the last decision on a contribution, from its page: a duplicate marking (votes and
followers go back), a hiding (its reports reopen), a status and answer; each undo is in the
audit log, and what cannot be undone safely is refused with the reason."""

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.utils import translation

from contributions.models import AbuseReport, Contribution, Follow, Status, Vote
from core.errors import DomainError
from staff.models import Action, AuditEntry
from staff.services import answers, duplicates, moderation, undo
from territories.models import Territory
from tests.factories import make_follow

pytestmark = pytest.mark.django_db
METRE = 1 / 111_320


@pytest.fixture
def spot(demo):
    return (
        Territory.objects.filter(perimeters=demo.perimeter)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("name")
        .first()
        .spot
    )


def make(project, title, point, *, status=Status.PUBLISHED, **extra):
    return Contribution.objects.create(
        project=project,
        kind="report",
        theme=project.themes.first(),
        title=title,
        geom=Point(point.x, point.y, srid=4326),
        status=status,
        **extra,
    )


@pytest.fixture
def pair(demo, spot):
    original = make(demo, "Original", spot)
    copy = make(demo, "Copy", Point(spot.x, spot.y + 30 * METRE), answer="", answered_at=None)
    for participant in ("user:1", "anon:a"):
        Vote.objects.create(contribution=original, participant=participant)
    for participant in ("user:1", "anon:b", "anon:c"):
        Vote.objects.create(contribution=copy, participant=participant)
    make_follow(contribution=original, email="same@example.org", language="fr")
    make_follow(contribution=copy, email="same@example.org", language="fr")
    make_follow(contribution=copy, email="other@example.org", language="it")
    return original, copy


def undo_last(moderator, item):
    return undo.undo_last(actor=moderator, contribution=item, entry_id=undo.last_decision(item).pk)


def test_undoing_a_duplicate_marking_moves_votes_and_followers_back(demo, moderator, pair):
    original, copy = pair
    duplicates.mark_duplicate(actor=moderator, contribution=copy, original=original)
    copy.refresh_from_db()
    assert copy.vote_count == 1 and copy.status == Status.DUPLICATE
    copy = undo_last(moderator, copy)
    original.refresh_from_db()
    assert copy.status == Status.PUBLISHED and copy.duplicate_of is None and copy.answer == ""
    assert copy.answered_at is None
    assert sorted(Vote.objects.filter(contribution=copy).values_list("participant", flat=True)) == [
        "anon:b",
        "anon:c",
        "user:1",
    ]
    assert copy.vote_count == 3 and original.vote_count == 2
    assert list(Follow.objects.filter(contribution=copy).values_list("email", flat=True)) == [
        "other@example.org"
    ]
    # The duplicate's line leaves the public history; the log keeps both decisions.
    assert not copy.history.filter(status=Status.DUPLICATE).exists()
    entry = AuditEntry.objects.about(copy.pk).first()
    assert entry.action == Action.UNDO and entry.details["votes_moved_back"] == 2
    assert entry.details["undid_action"] == Action.DUPLICATE
    # The last decision is now the undo: nothing more to undo.
    assert undo.undo_preview(copy)["refusal"]
    with pytest.raises(DomainError):
        undo_last(moderator, copy)


def test_undoing_a_hiding_reopens_its_reports(demo, moderator, spot):
    item = make(demo, "Signalé", spot, report_count=2)
    for participant in ("anon:x", "anon:y"):
        AbuseReport.objects.create(contribution=item, participant=participant)
    moderation.moderate(
        actor=moderator, project=demo, action=Action.HIDE, contribution_ids=[item.pk]
    )
    item.refresh_from_db()
    assert item.status == Status.HIDDEN and item.report_count == 0
    item = undo_last(moderator, item)
    assert item.status == Status.PUBLISHED and item.report_count == 2
    assert AbuseReport.objects.filter(contribution=item, reviewed_at__isnull=True).count() == 2


def test_undoing_a_first_publication_unpublishes(demo, moderator, spot):
    item = make(demo, "En attente", spot, status=Status.SUBMITTED)
    moderation.moderate(
        actor=moderator, project=demo, action=Action.PUBLISH, contribution_ids=[item.pk]
    )
    item = undo_last(moderator, item)
    assert item.status == Status.SUBMITTED and item.published_at is None


def test_undoing_a_status_gives_back_the_answer_before(demo, moderator, spot):
    item = make(demo, "Un banc", spot)
    answers.set_status(actor=moderator, contribution=item, status="planned", answer="Prévu.")
    answers.set_status(actor=moderator, contribution=item, status="done", answer="Fait.")
    item = undo_last(moderator, item)
    assert (item.status, item.answer) == ("planned", "Prévu.")
    # A second status, then its undo: the answer before is still "Prévu." (the log replayed).
    answers.set_status(actor=moderator, contribution=item, status="rejected", answer="Non.")
    item = undo_last(moderator, item)
    assert (item.status, item.answer) == ("planned", "Prévu.")


def test_what_cannot_be_undone_safely_is_refused_with_the_reason(
    client, demo, moderator, analyst, pair
):
    original, copy = pair
    # A marking recorded before undo existed: which votes moved is unknown.
    Contribution.objects.filter(pk=copy.pk).update(status=Status.DUPLICATE, duplicate_of=original)
    AuditEntry.objects.create(
        project=demo,
        actor=moderator,
        actor_name="old",
        action=Action.DUPLICATE,
        target_type="contribution",
        target_id=copy.pk,
        details={"from": "published", "original": str(original.pk), "votes_moved": 2},
    )
    copy.refresh_from_db()
    with translation.override("en"):
        assert "not known" in undo.undo_preview(copy)["refusal"]
    client.force_login(moderator)
    page = client.get(f"/en/staff/{demo.slug}/c/{copy.pk}/").content.decode()
    assert 'id="undo-refusal"' in page and "cannot be undone safely" in page
    # Analysts see no undo and cannot post one.
    client.force_login(analyst)
    assert 'id="undo"' not in client.get(f"/en/staff/{demo.slug}/c/{copy.pk}/").content.decode()
    assert client.post(f"/en/staff/{demo.slug}/c/{copy.pk}/undo/", {"entry": 1}).status_code == 404


def test_confirm_then_undo_a_merge_through_the_pages(client, demo, moderator, pair):
    original, copy = pair
    client.force_login(moderator)
    url = f"/fr/staff/{demo.slug}/c/{copy.pk}/"
    response = client.post(f"{url}duplicate/", {"original": original.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="confirm" value="1"' in page and "Original" in page
    copy.refresh_from_db()
    assert copy.status == Status.PUBLISHED  # nothing done before the confirmation
    response = client.post(f"{url}duplicate/", {"original": original.pk, "confirm": "1"})
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE
    entry = undo.last_decision(copy)
    # A stale or malformed entry is a message, not an undo.
    for stale in ("", "x", entry.pk + 999):
        response = client.post(f"{url}undo/", {"entry": stale}, follow=True)
        assert response.status_code == 200
        copy.refresh_from_db()
        assert copy.status == Status.DUPLICATE
    response = client.post(f"{url}undo/", {"entry": entry.pk})
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == Status.PUBLISHED and copy.vote_count == 3
