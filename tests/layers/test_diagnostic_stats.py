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


# --- Gi* hot and cold spots -------------------------------------------------------------

from layers.diagnostic import getis_ord  # noqa: E402
from layers.diagnostic.queries import GridCounts  # noqa: E402

CELL = getis_ord.GI_CELL_M


@pytest.fixture
def grid(demo):
    """The demo perimeter's 1 km cells (EPSG:3035): the seeded territory."""
    i, j = getis_ord.study_cells(demo, CELL)
    return np.asarray(i), np.asarray(j)


def _counts(i, j, n):
    i, j, n = (np.asarray(a, dtype=np.int64) for a in (i, j, n))
    keep = n > 0
    zeros = np.zeros(int(keep.sum()), dtype=np.int64)
    return GridCounts(CELL, i[keep], j[keep], zeros, n[keep], zeros * 1.0, zeros * 1.0)


def _uniform(grid, points, seed):
    """`points` contributions dropped uniformly at random over the cells."""
    rng = np.random.default_rng(seed)
    return np.bincount(rng.integers(0, len(grid[0]), points), minlength=len(grid[0]))


def _centre(grid):
    """Index of a study cell whose 7 x 7 block lies wholly in the grid (far from the edge)."""
    cells = set(zip(grid[0].tolist(), grid[1].tolist(), strict=True))
    for k in np.argsort(np.hypot(grid[0] - grid[0].mean(), grid[1] - grid[1].mean())):
        ci, cj = int(grid[0][k]), int(grid[1][k])
        if all((ci + a, cj + b) in cells for a in range(-3, 4) for b in range(-3, 4)):
            return ci, cj
    raise AssertionError("no inner cell")


def _block(grid, ci, cj, radius):
    return (np.abs(grid[0] - ci) <= radius) & (np.abs(grid[1] - cj) <= radius)


def test_a_planted_cluster_is_a_hot_spot_after_the_fdr(grid):
    n = _uniform(grid, 1500, seed=1)
    ci, cj = _centre(grid)
    cluster = _block(grid, ci, cj, 1)  # 3 x 3 km
    n[cluster] += 20  # 180 contributions over 9 cells, against about 0.3 per cell elsewhere
    found = getis_ord.gi_star_grid(*grid, _counts(*grid, n))
    assert found.threshold > 0
    assert found.cells == len(grid[0])
    # The found cells are keyed like the grid; the planted centre and block are hot.
    hot = {(int(a), int(b)) for a, b in zip(found.i[found.hot], found.j[found.hot], strict=True)}
    assert (ci, cj) in hot
    planted = {(int(a), int(b)) for a, b in zip(grid[0][cluster], grid[1][cluster], strict=True)}
    assert planted <= hot
    # Nothing far from the cluster is hot.
    far = [(a, b) for a, b in hot if max(abs(a - ci), abs(b - cj)) > 2]
    assert len(far) <= getis_ord.GI_ALPHA * len(hot)
    assert found.summary()["contributions_in_hot_cells"] >= 180


def test_uniform_points_give_no_hot_spot(grid):
    for seed in (2, 3):
        found = getis_ord.gi_star_grid(*grid, _counts(*grid, _uniform(grid, 3000, seed=seed)))
        # Under no clustering at all, the FDR holds: no discovery, or at most its share.
        assert found.hot.sum() + found.cold.sum() <= getis_ord.GI_ALPHA * found.cells
        assert found.hot.sum() == 0, seed


def test_a_planted_empty_area_is_cold_not_hot(grid):
    n = _uniform(grid, 40_000, seed=4)  # about 9 per cell
    ci, cj = _centre(grid)
    hole = _block(grid, ci, cj, 3)  # 7 x 7 km without anyone
    n[hole] = 0
    found = getis_ord.gi_star_grid(*grid, _counts(*grid, n))
    # The hole's inner cells: their whole 3 x 3 window is empty.
    inside = _block((found.i, found.j), ci, cj, 2)
    assert not found.hot[inside].any()
    assert found.cold[inside].all()


def test_benjamini_hochberg():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # Benjamini & Hochberg's step-up at 5%: only the first two are discoveries.
    assert getis_ord.benjamini_hochberg(p, 0.05) == 0.008
    assert getis_ord.benjamini_hochberg(np.array([0.5, 0.9]), 0.05) == 0
    assert getis_ord.benjamini_hochberg(np.array([0.01, 0.02]), 0.05) == 0.02


def _pile(project, *, precision, count, lon, lat, title):
    """`count` contributions on a grid of points 250 m apart over a square about 3 km wide
    centred on (lon, lat)."""
    import math

    from django.contrib.gis.geos import Point

    from contributions.models import Contribution, Kind, Status

    theme = project.themes.first()
    Contribution.objects.bulk_create(
        [
            Contribution(
                project=project,
                kind=Kind.PROPOSAL,
                theme=theme,
                title=title,
                geom=Point(
                    lon + (k % 12 - 5.5) * 250 / (111_320 * math.cos(math.radians(lat))),
                    lat + (k // 12 - 5.5) * 250 / 111_320,
                    srid=4326,
                ),
                status=Status.PUBLISHED,
                location_precision=precision,
            )
            for k in range(count)
        ]
    )


def _quiet_spot(project):
    """A point inside the perimeter at least 5 km from any contribution of the demo."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_X(p), ST_Y(p) FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id
            CROSS JOIN LATERAL (SELECT ST_PointOnSurface(t.geom) AS p) s
            WHERE m.from_territory_id = %s
            AND NOT EXISTS (SELECT 1 FROM contributions_contribution c
                            WHERE ST_DWithin(c.geom::geography, p::geography, 5000))
            ORDER BY t.area_m2 DESC LIMIT 1
            """,
            [project.perimeter_id],
        )
        return cursor.fetchone()


def test_commune_only_contributions_never_make_a_hot_spot(demo):
    from contributions.vocabulary import LocationPrecision

    scope = queries.Scope(demo, ContributionFilters())
    before = getis_ord.gi_star(scope)
    lon, lat = _quiet_spot(demo)
    _pile(demo, precision=LocationPrecision.COMMUNE, count=144, lon=lon, lat=lat, title="pile")
    after = getis_ord.gi_star(scope)
    assert after.left_out == before.left_out + 144
    assert after.total == before.total
    assert after.hot.sum() == before.hot.sum()
    # The same contributions placed exactly are a hot spot.
    _pile(demo, precision=LocationPrecision.EXACT, count=144, lon=lon, lat=lat, title="exact")
    exact = getis_ord.gi_star(scope)
    assert exact.total == before.total + 144
    assert exact.hot.sum() > before.hot.sum()
    features = exact.geojson()["features"]
    assert {f["properties"]["kind"] for f in features} <= {"hot", "cold"}
    assert sum(f["properties"]["kind"] == "hot" for f in features) == exact.hot.sum()


def test_gi_star_is_deterministic(grid):
    n = _uniform(grid, 500, seed=5)
    first = getis_ord.gi_star_grid(*grid, _counts(*grid, n), permutations=999)
    second = getis_ord.gi_star_grid(*grid, _counts(*grid, n), permutations=999)
    assert np.array_equal(first.p, second.p)
    assert list(first.kind) == list(second.kind)


# --- Themes compared ----------------------------------------------------------------------

from layers.diagnostic import themes  # noqa: E402


def test_percentages_add_up_to_exactly_100():
    assert themes.percentages({"a": 1, "b": 1, "c": 1}) == {"a": 33.4, "b": 33.3, "c": 33.3}
    assert themes.percentages({"a": 0, "b": 0}) is None
    rng = np.random.default_rng(6)
    for _ in range(200):
        counts = dict(enumerate(rng.integers(0, 50, size=5).tolist()))
        shares = themes.percentages(counts)
        if shares is not None:
            assert round(sum(shares.values()), 6) == 100.0


def test_theme_shares_per_commune(dense):
    scope = queries.Scope(dense, ContributionFilters())
    shares = themes.shares_by_commune(scope)
    table = areas.build(scope, queries.themes(dense))
    assert [s.code for s in shares] == [row["code"] for row in table.rows]
    for commune, row in zip(shares, table.rows, strict=True):
        assert commune.total == row["contributions"] == sum(commune.counts.values())
        for slug, count in commune.counts.items():
            assert count == row[areas.theme_column(slug)]
        if commune.total:
            assert round(sum(commune.percent.values()), 6) == 100.0
            for slug, count in commune.counts.items():
                assert commune.percent[slug] == pytest.approx(100 * count / commune.total, abs=0.1)
        else:
            assert commune.percent is None


def test_weekly_counts_per_theme(dense):
    scope = queries.Scope(dense, ContributionFilters())
    weekly = themes.weekly(scope)
    _first, _last, overall = queries.period(scope)
    assert all(week.isoweekday() == 1 for week in weekly.weeks)  # Mondays
    assert all((b - a).days == 7 for a, b in zip(weekly.weeks, weekly.weeks[1:], strict=False))
    by_week = dict(zip(weekly.weeks, weekly.totals, strict=True))
    # Every week of the overall table, with the same total; the weeks between are 0.
    assert {week: n for week, n in by_week.items() if n} == dict(overall)
    assert sum(weekly.totals) == sum(n for _week, n in overall)
    for k, total in enumerate(weekly.totals):
        assert total == sum(counts[k] for counts in weekly.counts.values())


def test_rates_by_theme_add_up_to_the_commune_counts(dense):
    scope = queries.Scope(dense, ContributionFilters())
    by_theme = themes.rates_by_theme(scope)
    overall = rates.commune_rates(scope)
    assert set(by_theme) == {t["slug"] for t in queries.themes(dense)}
    for k, row in enumerate(overall.rows):
        assert row.contributions == sum(r.rows[k].contributions for r in by_theme.values())
    for theme_rates in by_theme.values():
        for row in theme_rates.rows:
            if row.smoothed is not None:
                assert row.low <= row.smoothed <= row.high
