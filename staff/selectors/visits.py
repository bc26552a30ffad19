"""The visit figures: visits, sign-ups and the two conversions, each defined once (the
docstrings are the definitions; docs/figures.md says where they are shown).

A conversion is the share of visits marked with what they led to (staff/visits.py), so it is
between 0 and 100% by construction: a visit is counted once however many contributions it
brought.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Q

from contributions.figures import percent
from contributions.models import Project
from staff.models import DailyVisit


@dataclass(frozen=True)
class VisitFigures:
    visits: int
    contributing_visits: int
    sign_ups: int
    visit_to_contribution_percent: float | None
    visit_to_sign_up_percent: float | None
    counted_since: date | None


def _counts():
    return {
        "visits": Count("pk"),
        "contributing_visits": Count("pk", filter=Q(contributed=True)),
        "sign_ups": Count("pk", filter=Q(signed_up=True)),
    }


def _figures(row, since) -> VisitFigures:
    return VisitFigures(
        visits=row["visits"],
        contributing_visits=row["contributing_visits"],
        sign_ups=row["sign_ups"],
        visit_to_contribution_percent=percent(row["contributing_visits"], row["visits"]),
        visit_to_sign_up_percent=percent(row["sign_ups"], row["visits"]),
        counted_since=since,
    )


def visit_figures(project: Project) -> VisitFigures:
    """Visits: distinct visitors of the project's public page per day, summed over the days
    (cookieless: a salted hash of address and browser, its salt deleted at the day's end).
    Contributing visits: those visits from which a contribution was sent the same day.
    Sign-ups: those visits whose visitor created an account the same day.
    Visit to contribution and visit to sign-up: contributing visits and sign-ups out of
    visits, in percent (0 to 100); None before the first visit is counted."""
    row = DailyVisit.objects.filter(project=project).aggregate(**_counts(), since=Min("day"))
    return _figures(row, row["since"])


def visits_by_day(project: Project) -> dict[date, VisitFigures]:
    """The same figures for each day with a counted visit, in day order."""
    rows = (
        DailyVisit.objects.filter(project=project)
        .values("day")
        .annotate(**_counts())
        .order_by("day")
    )
    return {row["day"]: _figures(row, row["day"]) for row in rows}
