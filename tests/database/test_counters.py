"""The counters a contribution carries are its rows: votes, and published comments. The
database keeps them so whoever writes; these tests try to make them differ."""

import uuid

import pytest
from django.db import connection

from contributions.models import Comment, CommentStatus, Contribution, Vote
from contributions.services import participation
from tests.database.helpers import rows

pytestmark = pytest.mark.django_db

DRIFT_SQL = """
SELECT c.id, c.vote_count, (SELECT count(*) FROM contributions_vote v
                            WHERE v.contribution_id = c.id),
       c.comment_count, (SELECT count(*) FROM contributions_comment m
                         WHERE m.contribution_id = c.id AND m.status = 'published')
FROM contributions_contribution c
"""


def drift():
    """The contributions whose counters differ from their rows (none, always)."""
    return [r for r in rows(DRIFT_SQL) if r[1] != r[2] or r[3] != r[4]]


@pytest.fixture
def two(demo):
    first, second = Contribution.objects.public().filter(project=demo).order_by("id")[:2]
    return first, second


def test_the_demo_votes_are_rows(demo):
    assert Vote.objects.filter(contribution__project=demo).count() > 300
    assert not drift()


def test_vote_count_is_the_vote_rows_whoever_writes(two):
    first, second = two
    participation.vote(contribution=first, participant="user:one")
    Vote.objects.bulk_create(
        [Vote(contribution=first, participant=f"anon:bulk{n}") for n in range(5)]
        + [Vote(contribution=second, participant=f"anon:bulk{n}") for n in range(3)]
    )
    assert not drift()
    # A move (what merging a duplicate does), a change that moves nothing, then deletes.
    Vote.objects.create(contribution=second, participant="anon:only-second")
    Vote.objects.filter(contribution=second, participant="anon:only-second").update(
        contribution=first
    )
    Vote.objects.filter(contribution=second, participant="anon:bulk0").update(
        participant="anon:renamed"
    )
    assert not drift()
    participation.unvote(contribution=first, participant="user:one")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM contributions_vote WHERE participant LIKE 'anon:bulk%%'")
    assert not drift()


def test_a_direct_write_cannot_make_the_counters_differ(two):
    first, _second = two
    Vote.objects.create(contribution=first, participant="anon:real")
    first.refresh_from_db()
    real = first.vote_count
    Contribution.objects.filter(pk=first.pk).update(vote_count=999, comment_count=999)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contributions_contribution SET vote_count = 0 WHERE id = %s", [first.pk]
        )
    # A stale copy saved whole does not roll the counter back either.
    stale = Contribution.objects.get(pk=first.pk)
    Vote.objects.create(contribution=first, participant="anon:later")
    stale.title = "Edited"
    stale.save()
    first.refresh_from_db()
    assert first.vote_count == real + 1
    assert not drift()
    created = Contribution.objects.create(
        project=first.project,
        kind=first.kind,
        sentiment=first.sentiment,
        theme=first.theme,
        title="Born with votes?",
        geom=first.geom,
        status=first.status,
        vote_count=40,
        comment_count=7,
    )
    created.refresh_from_db()
    assert (created.vote_count, created.comment_count) == (0, 0)


def test_comment_count_is_the_published_comments(two):
    first, second = two
    published = Comment.objects.create(
        contribution=first, body="Oui", status=CommentStatus.PUBLISHED
    )
    waiting = Comment.objects.create(contribution=first, body="Non", status=CommentStatus.SUBMITTED)
    assert not drift()
    Comment.objects.filter(pk=waiting.pk).update(status=CommentStatus.PUBLISHED)
    Comment.objects.filter(pk=published.pk).update(status=CommentStatus.HIDDEN)
    assert not drift()
    Comment.objects.filter(pk=waiting.pk).update(contribution=second)
    assert not drift()
    Comment.objects.filter(contribution__in=two).delete()
    assert not drift()


def test_a_contribution_written_after_its_votes_starts_at_them(two):
    # The bulk path writes votes first (foreign keys are checked at commit).
    first, _second = two
    identifier = uuid.uuid4()
    Vote.objects.bulk_create(
        [Vote(contribution_id=identifier, participant=f"anon:early{n}") for n in range(3)]
    )
    created = Contribution.objects.create(
        id=identifier,
        project=first.project,
        kind=first.kind,
        sentiment=first.sentiment,
        theme=first.theme,
        title="Votes before the row",
        geom=first.geom,
        status=first.status,
    )
    created.refresh_from_db()
    assert created.vote_count == 3
    assert not drift()
