"""The diagnostic's statistics: empirical Bayes rates, Getis-Ord Gi* hotspots with a false
discovery rate, themes compared."""

import numpy as np
import pytest

from contributions.selectors import ContributionFilters
from layers.diagnostic import areas, queries, rates

pytestmark = pytest.mark.django_db


def _members(populations):
    return [
        {
            "code": f"{k:05d}",
            "name": f"commune {k}",
            "country": "FR",
            "population": population,
            "population_year": 2021 if population else None,
        }
        for k, population in enumerate(populations)
    ]


# A territory whose communes really differ: a big town, mid-sized communes at various rates,
# a hamlet of 30 inhabitants with 2 contributions and one without a known population.
POPULATIONS = [120_000, 8_000, 6_000, 5_000, 4_000, 3_000, 2_500, 2_000, 30, None]
COUNTS = [240, 40, 6, 30, 2, 21, 12, 1, 2, 4]


@pytest.fixture
def territory():
    members = _members(POPULATIONS)
    counts = {m["code"]: n for m, n in zip(members, COUNTS, strict=True)}
    return members, counts, rates.rates_from_counts(members, counts)


def test_territory_rate_is_contributions_over_inhabitants(territory):
    _members_, _counts, result = territory
    known = [(n, p) for n, p in zip(COUNTS, POPULATIONS, strict=True) if p]
    assert result.contributions == sum(n for n, _p in known)
    assert result.population == sum(p for _n, p in known)
    assert result.territory_rate == pytest.approx(
        1000 * result.contributions / result.population, abs=1e-4
    )
    assert result.prior_variance > 0  # the communes differ more than chance would make them


def test_a_hamlet_is_pulled_towards_the_territory_a_town_barely_moves(territory):
    _members_, _counts, result = territory
    m = result.territory_rate
    town, hamlet = result.rows[0], result.rows[8]
    assert hamlet.raw == pytest.approx(2 / 30 * 1000, abs=1e-3)  # 66.7 per 1,000
    # The hamlet's smoothed rate is much closer to the territory's than its raw rate.
    assert abs(hamlet.smoothed - m) < 0.1 * abs(hamlet.raw - m)
    assert hamlet.shrinkage < 0.1
    # The town keeps almost its raw rate.
    assert abs(town.smoothed - town.raw) < 0.05 * abs(town.raw - m) + 1e-3
    assert town.shrinkage > 0.9
    # Smoothing never crosses the territory's rate.
    for row in result.rows:
        if row.raw is not None:
            assert (row.smoothed - m) * (row.raw - m) >= -1e-9


def test_intervals_contain_the_smoothed_rate_and_flags_follow_the_threshold(territory):
    _members_, _counts, result = territory
    for row in result.rows:
        assert row.too_few == (row.contributions < rates.MIN_COUNT)
        if row.population is None:
            assert row.raw is row.smoothed is row.rank is row.level is None
            continue
        assert row.low <= row.smoothed <= row.high
        if row.level == rates.HIGH:
            assert row.low > result.territory_rate
        elif row.level == rates.LOW:
            assert row.high < result.territory_rate
        else:
            assert row.low <= result.territory_rate <= row.high
    # The hamlet's 2 contributions say nothing: flagged, and its interval is wide.
    hamlet = result.rows[8]
    assert hamlet.too_few and hamlet.level == rates.AS_EXPECTED
    assert not result.rows[0].too_few
    assert result.no_population == [result.rows[-1].code]
    # Ranks: by smoothed rate, 1 = highest, every commune with a population once.
    ranked = result.ranked()
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.smoothed >= b.smoothed for a, b in zip(ranked, ranked[1:], strict=False))


def test_the_estimator_is_pysal_s_empirical_bayes(territory):
    from esda.smoothing import Empirical_Bayes

    _members_, _counts, result = territory
    known = [(n, p) for n, p in zip(COUNTS, POPULATIONS, strict=True) if p]
    e = np.array([n for n, _p in known], dtype=float)
    b = np.array([p for _n, p in known], dtype=float)
    expected = Empirical_Bayes(e, b).r.ravel() * 1000
    ours = [row.smoothed for row in result.rows if row.population]
    assert ours == pytest.approx(expected, abs=1e-3)


def test_no_extra_variation_smooths_every_commune_to_the_territory():
    members = _members([1000, 1000, 1000, 1000])
    counts = {m["code"]: 5 for m in members}
    result = rates.rates_from_counts(members, counts)
    assert result.prior_variance == 0
    assert {row.smoothed for row in result.rows} == {result.territory_rate}


def test_commune_rates_count_what_the_commune_table_counts(demo):
    scope = queries.Scope(demo, ContributionFilters())
    result = rates.commune_rates(scope)
    table = areas.build(scope, queries.themes(demo))
    assert [(r.code, r.contributions) for r in result.rows] == [
        (row["code"], row["contributions"]) for row in table.rows
    ]
    for ours, row in zip(result.rows, table.rows, strict=True):
        assert ours.population == row["population"]
        assert ours.population_year == row["population_year"]
        if ours.raw is not None:
            assert ours.raw == pytest.approx(row["per_1000_inhabitants"], abs=1e-3)
    assert result.population_years == sorted(
        {(row["country"], row["population_year"]) for row in table.rows if row["population"]}
    )
