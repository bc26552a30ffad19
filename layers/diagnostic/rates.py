"""Contributions per 1,000 inhabitants, per commune, in a form that survives small numbers.

A raw rate (contributions / population x 1,000) of a village of 40 inhabitants jumps from 0
to 25 per 1,000 with one contribution: ranked on raw rates, the smallest communes always
take the top and the bottom places, by chance alone. So each commune gets, beside its raw
rate:

- an **empirical Bayes smoothed rate**, the Poisson-gamma ("global empirical Bayes")
  estimator of Marshall (1991): the commune's count is taken as Poisson with mean
  population x its true rate, the true rates of the communes as drawn from a gamma
  distribution whose mean is the territory's rate `m` (contributions / inhabitants, over the
  communes with a known population) and whose variance `A` is estimated by the method of
  moments, `A = s² - m / mean population` with `s²` the population-weighted variance of the
  raw rates (0 when negative: the raw rates vary no more than chance would make them, and
  every commune is smoothed to `m`). The smoothed rate is the posterior mean
  `m + C (raw - m)` with `C = A / (A + m / population)`: a big commune keeps almost its raw
  rate (C near 1), a small one is pulled towards the territory's rate. It is the estimator
  of `esda.smoothing.Empirical_Bayes` (PySAL), which the tests check it against.

  Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes
  estimators. Journal of the Royal Statistical Society, Series C (Applied Statistics),
  40(2), 283-294. Also: Clayton, D. & Kaldor, J. (1987), Biometrics 43, 671-681.

- a **95% interval** for the true rate: the 2.5% and 97.5% quantiles of the posterior gamma
  distribution, shape `m²/A + count`, rate `m/A + population` (scipy.stats.gamma). When `A`
  is 0 the prior admits no difference between communes and the interval is the territory's
  rate itself.

- a **level**: `high` when the whole interval lies above the territory's rate, `low` when it
  lies below, `as_expected` otherwise; and a **rank** by smoothed rate (1 = highest). These
  say where participation is high or low relative to population.

- a **too few** flag when the commune has fewer than `MIN_COUNT` (20) contributions. A count
  of n drawn by chance (Poisson) varies by about its square root, so its relative standard
  error is 1/sqrt(n): above 22% under 20. Public statistics offices mark rates on fewer than
  20 events as unreliable for that reason (e.g. the US National Center for Health Statistics).
  A flagged commune's raw rate should not be read alone: its smoothed rate and interval say
  what can be said.

Which contributions are counted: exactly those of the diagnostic's per-commune table
(`areas.csv`'s `contributions`, `queries.per_commune`): the public contributions in scope,
by their public commune, grouped by official code. Communes without a known population
(None or 0) get no rate, no rank and no level, and stay out of the territory's rate.
"""

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy import stats

from layers.diagnostic.queries import Scope, communes, per_commune

MIN_COUNT = 20
CONFIDENCE = 0.95
PER = 1000  # rates are given per 1,000 inhabitants
# Sentences for a report, in the active language (str() them when rendering).
METHOD = _(
    "Smoothed rates: Poisson-gamma empirical Bayes (Marshall 1991), each commune's rate pulled "
    "towards the territory's in proportion to its uncertainty; 95% interval from the posterior "
    "gamma distribution."
)
TOO_FEW_NOTE = _(
    "Fewer than %(n)s contributions: too few for the raw rate to be read alone; read the "
    "smoothed rate and its interval."
)
HIGH, LOW, AS_EXPECTED = "high", "low", "as_expected"
LEVELS = {
    HIGH: _("higher than the territory as a whole"),
    LOW: _("lower than the territory as a whole"),
    AS_EXPECTED: _("not distinguishable from the territory as a whole"),
}


@dataclass(frozen=True)
class CommuneRate:
    """One commune's rate. Rates are per 1,000 inhabitants; None without a population."""

    code: str
    name: str
    country: str
    population: int | None
    population_year: int | None
    contributions: int
    raw: float | None
    smoothed: float | None
    low: float | None  # the interval's bounds
    high: float | None
    shrinkage: float | None  # C: 1 keeps the raw rate, 0 gives the territory's rate
    rank: int | None  # by smoothed rate, 1 = highest
    level: str | None  # HIGH, LOW or AS_EXPECTED
    too_few: bool  # fewer than MIN_COUNT contributions: the raw rate is not reliable
    relative: float | None = None  # smoothed / territory's rate (above 1: more than overall)


@dataclass(frozen=True)
class Rates:
    """Per-commune rates and the territory's, as `commune_rates` gives them."""

    rows: list[CommuneRate]  # one per commune of the perimeter, in code order
    territory_rate: float | None  # per 1,000: contributions / inhabitants over the communes
    population: int  # inhabitants of the communes with a known population
    contributions: int  # contributions in those communes
    population_years: list[tuple[str, int | None]]  # (country, year) of the populations
    prior_variance: float  # A, per inhabitant squared
    min_count: int = MIN_COUNT
    confidence: float = CONFIDENCE
    method: str = ""  # METHOD, in the language active when the rates were computed
    no_population: list[str] = field(default_factory=list)  # codes without a population

    def ranked(self) -> list[CommuneRate]:
        """The communes with a rate, highest smoothed rate first."""
        return sorted((r for r in self.rows if r.rank is not None), key=lambda r: r.rank)

    def as_dicts(self) -> list[dict]:
        """The rows as plain dicts (JSON, a DataFrame)."""
        return [dataclasses.asdict(row) for row in self.rows]

    def as_frame(self):
        import pandas as pd

        return pd.DataFrame(self.as_dicts()).set_index("code")


def smooth(counts, populations, *, confidence: float = CONFIDENCE):
    """Marshall's global empirical Bayes rates for arrays of counts and populations (> 0).

    Returns per-inhabitant arrays (smoothed, low, high, shrinkage) and (m, A): the territory's
    rate and the prior's variance. See the module's docstring for the method.
    """
    n = np.asarray(counts, dtype=float)
    pop = np.asarray(populations, dtype=float)
    if len(n) == 0 or pop.sum() <= 0:
        empty = np.zeros(0)
        return empty, empty, empty, empty, (None, 0.0)
    m = n.sum() / pop.sum()
    raw = n / pop
    s2 = float((pop * (raw - m) ** 2).sum() / pop.sum())
    prior_variance = max(0.0, s2 - m / pop.mean())
    tail = (1 - confidence) / 2
    if prior_variance <= 0 or m <= 0:
        flat = np.full(len(n), m)
        return flat, flat.copy(), flat.copy(), np.zeros(len(n)), (m, 0.0)
    shrinkage = prior_variance / (prior_variance + m / pop)
    smoothed = m + shrinkage * (raw - m)
    shape = m * m / prior_variance + n
    rate = m / prior_variance + pop
    low = stats.gamma.ppf(tail, shape, scale=1 / rate)
    high = stats.gamma.ppf(1 - tail, shape, scale=1 / rate)
    return smoothed, low, high, shrinkage, (m, prior_variance)


def rates_from_counts(members: list[dict], counts: dict, *, confidence=CONFIDENCE) -> Rates:
    """Rates of `members` (queries.communes rows) for `counts` ({code: contributions})."""
    known = [c for c in members if c["population"]]
    n = [counts.get(c["code"], 0) for c in known]
    pop = [c["population"] for c in known]
    smoothed, low, high, shrinkage, (m, prior_variance) = smooth(n, pop, confidence=confidence)
    index = {c["code"]: k for k, c in enumerate(known)}
    # Rank by smoothed rate, highest first; ties by code so the order never depends on chance.
    order = sorted(range(len(known)), key=lambda k: (-smoothed[k], known[k]["code"]))
    rank = {known[k]["code"]: position for position, k in enumerate(order, start=1)}
    rows = []
    for commune in members:
        code = commune["code"]
        count = counts.get(code, 0)
        k = index.get(code)
        if k is None:
            values = dict.fromkeys(
                ("raw", "smoothed", "low", "high", "shrinkage", "rank", "level", "relative")
            )
        else:
            if low[k] > m:
                level = HIGH
            elif high[k] < m:
                level = LOW
            else:
                level = AS_EXPECTED
            values = {
                "raw": _per(count / commune["population"]),
                "smoothed": _per(smoothed[k]),
                "low": _per(low[k]),
                "high": _per(high[k]),
                "shrinkage": round(float(shrinkage[k]), 4),
                "rank": rank[code],
                "level": level,
                "relative": round(float(smoothed[k] / m), 3) if m else None,
            }
        rows.append(
            CommuneRate(
                code=code,
                name=commune["name"],
                country=commune["country"],
                population=commune["population"] or None,
                population_year=commune["population_year"] if commune["population"] else None,
                contributions=count,
                too_few=count < MIN_COUNT,
                **values,
            )
        )
    years = sorted(
        {(c["country"], c["population_year"]) for c in known},
        key=lambda pair: (pair[0], pair[1] or 0),
    )
    return Rates(
        rows=rows,
        territory_rate=_per(m) if m is not None else None,
        population=int(sum(pop)),
        contributions=int(sum(n)),
        population_years=years,
        prior_variance=float(prior_variance),
        confidence=confidence,
        method=str(METHOD),
        no_population=[c["code"] for c in members if not c["population"]],
    )


def _per(rate_per_inhabitant) -> float:
    value = float(rate_per_inhabitant) * PER
    return round(value, 4) if math.isfinite(value) else value


def commune_counts(scope: Scope) -> dict:
    """{commune code: contributions}: the per-commune table's counts (one GROUP BY)."""
    return {code: entry["total"] for code, entry in per_commune(scope).items()}


def commune_rates(scope: Scope, *, confidence: float = CONFIDENCE) -> Rates:
    """Every commune of the perimeter with its contributions, population and year, raw rate,
    empirical Bayes smoothed rate and interval (per 1,000 inhabitants), rank, level and the
    too-few flag; the territory's rate beside them. See the module's docstring."""
    return rates_from_counts(communes(scope.project), commune_counts(scope), confidence=confidence)
