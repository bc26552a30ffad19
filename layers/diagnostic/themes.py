"""Themes compared: shares per commune, weekly counts over time, per-theme rates per commune.

Every figure counts the contributions of the diagnostic's per-commune table (the public
contributions in scope, by their public commune, `queries.per_commune`) and its weeks
(`queries.period`: the Monday of each ISO week of creation, in the database's time zone),
so a theme's row of any table here adds up to the bundle's own totals. Dates are ISO dates
(`datetime.date`); formatting them is the report's job.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from layers.diagnostic import rates
from layers.diagnostic.queries import Scope, communes, per_commune, themes, weekly_by_theme


@dataclass(frozen=True)
class CommuneShares:
    """One commune's contributions by theme: counts, and percentages that sum to 100."""

    code: str
    name: str
    total: int
    counts: dict[str, int]  # theme slug -> contributions (every theme, 0 included)
    percent: dict[str, float] | None  # slug -> percent, one decimal, sum 100.0; None if empty


@dataclass(frozen=True)
class WeeklyThemes:
    """Counts per week and theme, every week from the first to the last (0 where none)."""

    weeks: list[date]  # Mondays, consecutive
    counts: dict[str, list[int]]  # theme slug -> one count per week
    totals: list[int]  # all themes, one per week


def percentages(counts: dict, *, decimals: int = 1) -> dict | None:
    """Each count's share of their sum in percent, rounded so that they add up to exactly
    100 (largest remainder: the rounding left over goes to the largest fractions). None when
    the sum is 0."""
    total = sum(counts.values())
    if not total:
        return None
    unit = 10**decimals
    exact = {key: 100 * unit * n / total for key, n in counts.items()}
    floors = {key: math.floor(value) for key, value in exact.items()}
    left = 100 * unit - sum(floors.values())
    for key in sorted(exact, key=lambda k: (floors[k] - exact[k], str(k)))[:left]:
        floors[key] += 1
    return {key: value / unit for key, value in floors.items()}


def shares_by_commune(scope: Scope) -> list[CommuneShares]:
    """Every commune of the perimeter, in code order, with its contributions per theme (the
    per-commune table's counts) and their percentages (summing to 100)."""
    theme_list = themes(scope.project)
    stats = per_commune(scope)
    rows = []
    for commune in communes(scope.project):
        entry = stats.get(commune["code"], {"total": 0, "themes": {}})
        counts = {t["slug"]: entry["themes"].get(t["id"], 0) for t in theme_list}
        rows.append(
            CommuneShares(
                code=commune["code"],
                name=commune["name"],
                total=entry["total"],
                counts=counts,
                percent=percentages(counts),
            )
        )
    return rows


def weekly(scope: Scope) -> WeeklyThemes:
    """Contributions per theme per week (Monday dates), weeks without any included."""
    slugs = {t["id"]: t["slug"] for t in themes(scope.project)}
    rows = weekly_by_theme(scope)
    if not rows:
        return WeeklyThemes([], {slug: [] for slug in slugs.values()}, [])
    first, last = rows[0][0], rows[-1][0]
    weeks = [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
    position = {week: k for k, week in enumerate(weeks)}
    counts = {slug: [0] * len(weeks) for slug in slugs.values()}
    for week, theme_id, n in rows:
        counts[slugs[theme_id]][position[week]] += n
    totals = [sum(column) for column in zip(*counts.values(), strict=True)]
    return WeeklyThemes(weeks, counts, totals)


def rates_by_theme(scope: Scope) -> dict[str, rates.Rates]:
    """Per theme slug: the per-commune rates of that theme's contributions
    (`rates.rates_from_counts`: raw, empirical Bayes smoothed towards the territory's rate
    for that theme, interval, rank, level, too-few flag), for small multiples."""
    members = communes(scope.project)
    stats = per_commune(scope)
    out = {}
    for theme in themes(scope.project):
        counts = {code: entry["themes"].get(theme["id"], 0) for code, entry in stats.items()}
        out[theme["slug"]] = rates.rates_from_counts(members, counts)
    return out
