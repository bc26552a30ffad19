"""The domain's figures (contributions/figures.py) on a small set built by hand, so each
expected number can be counted on one's fingers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions import figures
from contributions.models import CommentStatus, Contribution, Status, Vote
from tests.factories import make_comment, make_contribution, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(demo):
    """Six participants: a user who contributes twice, votes and comments; one address used
    twice in two spellings; one anonymous contribution without email; an anonymous session
    that votes twice and comments (its comment carries no session: one more); a user who only
    votes and comments. Left out: a hidden contribution and its voter, a comment awaiting
    moderation and a hidden one."""
    project = make_project(demo.perimeter, target_contributions=4)
    user, other, late = make_user(), make_user(), make_user()
    first = make_contribution(project, author=user)
    second = make_contribution(project, author=user, status=Status.SUBMITTED)
    by_mail = make_contribution(project, email="Resident@Example.org")
    again = make_contribution(project, email="resident@example.org")
    anonymous = make_contribution(project, email="")
    hidden = make_contribution(project, status=Status.HIDDEN, email="")
    for contribution, participant in [
        (first, f"user:{user.pk}"),
        (first, "anon:s1"),
        (by_mail, "anon:s1"),
        (second, f"user:{other.pk}"),
        (hidden, "anon:s2"),
    ]:
        Vote.objects.create(contribution=contribution, participant=participant)
    make_comment(first, author=user)
    make_comment(first, author=None)  # the anonymous session's comment
    make_comment(again, author=other)
    make_comment(again, author=late, status=CommentStatus.SUBMITTED)
    make_comment(anonymous, author=late, status=CommentStatus.HIDDEN)
    return project


def test_participants_are_counted_once_across_contributing_voting_and_commenting(small):
    assert figures.participants(small) == 6


def test_contributions_votes_and_comments(small):
    assert figures.contributions(small) == 5
    assert figures.hidden(small) == 1
    assert figures.public_contributions(small) == 4  # the submitted one awaits moderation
    # Rows on public contributions: the vote on the item back in moderation is out of sight.
    assert figures.votes(small) == 3
    public = Contribution.objects.filter(project=small).public()
    assert figures.votes(small) == Vote.objects.filter(contribution__in=public).count()
    assert figures.comments(small) == 3  # published ones only
    summary = figures.summary(small)
    # Never more people than things they did.
    assert summary.participants <= summary.contributions + summary.votes + summary.comments
    assert summary.target == 4 and summary.target_progress_percent == 100.0  # 4 public of 4


def test_answered_rate_and_median(small):
    assert figures.answered(small) == 0
    assert figures.summary(small).answer_rate_percent == 0.0
    assert figures.median_days_to_answer(small) is None
    now = timezone.now()
    published = Contribution.objects.filter(project=small, status=Status.PUBLISHED)
    a, b, c = published.order_by("pk")[:3]
    # A written answer after one day, another after three, and a decision with no answer.
    for contribution, days in [(a, 1), (b, 3)]:
        Contribution.objects.filter(pk=contribution.pk).update(
            created_at=now - timedelta(days=days), answered_at=now, answer="Merci"
        )
    Contribution.objects.filter(pk=c.pk).update(status=Status.ACCEPTED)
    assert figures.answered(small) == 3 == figures.counted(small).answered().count()
    assert figures.summary(small).answer_rate_percent == 60.0
    assert figures.median_days_to_answer(small) == 2.0


def test_rates_are_none_without_a_whole():
    assert figures.percent(3, 0) is None
    assert figures.answer_rate(0, 0) is None
    assert figures.target_progress(30, 100) == 30.0
    assert figures.percent(1, 3) == 33.3
