"""The figures of a project's participation, each defined once: the docstring of each function
is the figure's definition, and docs/figures.md says where each one is shown.

Every figure counts the same contributions (`counted`: all but those hidden by moderation);
the public figures say so in their name. Visits, sign-ups and conversions are the staff app's
(staff/selectors/visits.py), since visits are recorded there.
"""

from dataclasses import dataclass

from django.db.models import Aggregate, Case, Count, F, FloatField, Q, Sum, TextField, Value, When
from django.db.models.functions import Cast, Concat, Extract, Lower

from contributions.models import (
    Comment,
    CommentStatus,
    Contribution,
    Project,
    Result,
    ResultStatus,
    Status,
    Vote,
)
from contributions.participants import USER_PREFIX


class _Median(Aggregate):
    # PostgreSQL's ordered-set aggregate, which Django has no class for.
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def counted(project: Project):
    """The contributions the figures count: every contribution of the project, whatever its
    status or channel, except those hidden by moderation (a hidden one is not shown anywhere
    and must not weigh in a figure)."""
    return Contribution.objects.of_project(project).exclude(status=Status.HIDDEN)


def contributions(project: Project) -> int:
    """Contributions: how many `counted` contributions the project has (awaiting moderation,
    published, answered...; hidden ones left out)."""
    return counted(project).count()


def hidden(project: Project) -> int:
    """Hidden: how many contributions moderation hid; given apart, never in another figure."""
    return Contribution.objects.of_project(project).filter(status=Status.HIDDEN).count()


def public_totals(project: Project) -> dict[str, int]:
    """The public figures of a project in one pass over its public contributions: how many
    (`public_contributions`), their votes and their comments. The counters are the rows:
    the database keeps them equal (contributions migration 0010)."""
    return (
        Contribution.objects.of_project(project)
        .public()
        .aggregate(
            public_contributions=Count("pk"),
            votes=Sum("vote_count", default=0),
            comments=Sum("comment_count", default=0),
        )
    )


def public_contributions(project: Project) -> int:
    """Public contributions: how many contributions anyone may read (`.public()`: moderated
    through and not hidden), the number the public pages and API show."""
    return public_totals(project)["public_contributions"]


def votes(project: Project) -> int:
    """Votes: vote rows on public contributions (only a public contribution can be voted
    for, and one sent back to moderation keeps its votes out of sight), so the dashboard,
    the diagnostic, the API and the public pages give one total."""
    return public_totals(project)["votes"]


def comments(project: Project) -> int:
    """Comments: published comments on public contributions (awaiting moderation and hidden
    ones left out)."""
    return public_totals(project)["comments"]


def _user_identity(field: str):
    # The identity votes carry for a signed-in person (contributions.participants).
    return Concat(Value(USER_PREFIX), Cast(field, TextField()), output_field=TextField())


def participants(project: Project) -> int:
    """Participants: distinct people or browser sessions who contributed, voted or commented
    on counted contributions, each counted once across the three:

    - the author of a contribution is "user:<id>" when signed in, else "email:<address>"
      (lower-cased) when they left one, else the contribution itself (an anonymous
      contribution without email is one participant);
    - a voter is the vote's participant ("user:<id>" or "anon:<session>");
    - the writer of a published comment is "user:<id>" when signed in, else the comment
      itself (an anonymous comment carries no session to match with a vote).

    So a signed-in person who contributes, votes and comments is one participant, and the
    figure never exceeds contributions + votes + comments.
    """
    authors = (
        counted(project)
        .annotate(
            who=Case(
                When(author__isnull=False, then=_user_identity("author_id")),
                When(~Q(email=""), then=Concat(Value("email:"), Lower("email"))),
                default=Concat(Value("contribution:"), Cast("id", TextField())),
                output_field=TextField(),
            )
        )
        .values_list("who")
        .order_by()
    )
    voters = (
        Vote.objects.filter(contribution__in=counted(project))
        .annotate(who=Cast("participant", TextField()))
        .values_list("who")
        .order_by()
    )
    commenters = (
        Comment.objects.filter(contribution__in=counted(project), status=CommentStatus.PUBLISHED)
        .annotate(
            who=Case(
                When(author__isnull=False, then=_user_identity("author_id")),
                default=Concat(Value("comment:"), Cast("id", TextField())),
                output_field=TextField(),
            )
        )
        .values_list("who")
        .order_by()
    )
    # UNION (not UNION ALL) removes the duplicates: the count is of distinct identities.
    return authors.union(voters, commenters).count()


def answered(project: Project) -> int:
    """Answered: counted contributions that received an official answer or hold a decision
    status (`ContributionQuerySet.answered()`, `answered_sql()` in raw SQL)."""
    return counted(project).answered().count()


def median_days_to_answer(project: Project) -> float | None:
    """Median time to answer: the median, in days (one decimal), of `answered_at -
    created_at` over the answered contributions that have an answer date (a decision status
    set without a written answer has none); None before the first answer."""
    delay = Extract(F("answered_at") - F("created_at"), "epoch") / 86400.0
    median = (
        counted(project)
        .answered()
        .filter(answered_at__isnull=False)
        .aggregate(m=_Median(delay))["m"]
    )
    return round(median, 1) if median is not None else None


def percent(part: int, whole: int) -> float | None:
    """`part` out of `whole` in percent, one decimal; None when `whole` is 0 (no rate)."""
    return round(100 * part / whole, 1) if whole else None


def answer_rate(answered_count: int, contribution_count: int) -> float | None:
    """Answer rate: answered out of contributions, in percent (0 to 100)."""
    return percent(answered_count, contribution_count)


def target_progress(public_count: int, target: int) -> float | None:
    """Progress towards the target: public contributions out of the project's target
    (`target_contributions`), in percent; above 100 once the target is passed. Public ones,
    so the public page and the dashboard show the same progress, one anyone can check."""
    return percent(public_count, target)


@dataclass(frozen=True)
class Summary:
    """A project's figures, each computed once by the function of the same name (a rate's
    name says it is in percent)."""

    contributions: int
    public_contributions: int
    hidden: int
    target: int
    target_progress_percent: float | None
    participants: int
    votes: int
    comments: int
    answered: int
    answer_rate_percent: float | None
    median_days_to_answer: float | None


def summary(project: Project) -> Summary:
    total = contributions(project)
    answered_count = answered(project)
    public = public_totals(project)
    return Summary(
        contributions=total,
        public_contributions=public["public_contributions"],
        hidden=hidden(project),
        target=project.target_contributions,
        target_progress_percent=target_progress(
            public["public_contributions"], project.target_contributions
        ),
        participants=participants(project),
        votes=public["votes"],
        comments=public["comments"],
        answered=answered_count,
        answer_rate_percent=answer_rate(answered_count, total),
        median_days_to_answer=median_days_to_answer(project),
    )


def results_by_status(project: Project) -> dict[str, int]:
    """Results by status: how many of the project's results ("you said, we did") stand at
    each status, every status listed in its order (0 where none), so the rows sum to the
    project's results."""
    counts = dict(
        Result.objects.of_project(project)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ResultStatus.values}
