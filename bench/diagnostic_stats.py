"""The diagnostic's statistics at scale: per-commune empirical Bayes rates and Getis-Ord Gi*
(1 km cells, 19,999 seeded permutations, FDR 5%), beside their SQL floor.

Both aggregate in PostgreSQL first (one GROUP BY per commune, one per grid cell) and run their
statistics on the aggregates (89 communes, about 4,500 cells), so their cost should be the
SQL pass plus a constant. Measured: ROUNDS runs of each, in one Django process on the bench
database, median wall time; reference: the raw SQL count per 1 km cell, the floor of any
per-cell method.

    .venv/bin/python bench/generate.py --count 100000    # once, on the bench database
    .venv/bin/python bench/diagnostic_stats.py
    BENCH_DB=another_bench .venv/bin/python bench/diagnostic_stats.py
"""

import argparse
import statistics
import time

from _setup import BENCH_DB, django_on_bench_database, emit, machine

ROUNDS = 3
SLUG = "piter-alpimed"


def timed(function):
    walls, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = function()
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), walls, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from django.db import connection

    from contributions.models import PUBLIC_STATUSES, Project
    from contributions.selectors import ContributionFilters
    from layers.diagnostic import getis_ord, queries, rates, themes

    project = Project.objects.select_related("perimeter").get(slug=SLUG)
    scope = queries.Scope(project, ContributionFilters())
    count = project.contributions.public().count()
    # Loaded once, before timing, as the bundle would have them.
    import esda  # noqa: F401
    import libpysal  # noqa: F401

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    rates_s, rates_all, found_rates = timed(lambda: rates.commune_rates(scope))
    gi_s, gi_all, found_gi = timed(lambda: getis_ord.gi_star(scope))
    themes_s, themes_all, _ = timed(
        lambda: (
            themes.shares_by_commune(scope),
            themes.weekly(scope),
            themes.rates_by_theme(scope),
        )
    )
    floor_sql = """
        SELECT floor(ST_X(p) / 1000)::int, floor(ST_Y(p) / 1000)::int, count(*)
        FROM (SELECT ST_Transform(CASE WHEN GeometryType(public_geom) = 'POINT'
                                  THEN public_geom ELSE ST_PointOnSurface(public_geom) END,
                                  3035) AS p
              FROM contributions_contribution
              WHERE project_id = %s AND status = ANY(%s)) s
        GROUP BY 1, 2
    """

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, [project.pk, PUBLIC_STATUSES])
            return cursor.fetchall()

    floor_s, floor_all, _ = timed(floor)
    summary = found_gi.summary()
    print(f"machine: {machine()}")
    print(f"database {BENCH_DB}: {count:,} public contributions, {ROUNDS} rounds")
    print("| measure | median (s) | all rounds (s) |")
    print("|---|---|---|")
    for label, median, walls in (
        ("rates.commune_rates", rates_s, rates_all),
        ("getis_ord.gi_star", gi_s, gi_all),
        ("themes: shares, weekly, rates by theme", themes_s, themes_all),
        ("raw SQL count per 1 km cell (floor)", floor_s, floor_all),
    ):
        print(f"| {label} | {median:.2f} | {', '.join(f'{w:.2f}' for w in walls)} |")
    print(
        f"Gi*: {summary['cells']:,} cells, {summary['hot_cells']} hot, "
        f"{summary['cold_cells']} cold, p cut-off {summary['p_threshold']:.2g}; rates: "
        f"{sum(r.level == rates.HIGH for r in found_rates.rows)} high, "
        f"{sum(r.level == rates.LOW for r in found_rates.rows)} low, "
        f"{sum(r.too_few for r in found_rates.rows)} too few"
    )
    emit(
        args,
        {
            "contributions": count,
            "rates_s": rates_s,
            "gi_star_s": gi_s,
            "themes_s": themes_s,
            "floor_s": floor_s,
            **{f"gi_{k}": v for k, v in summary.items() if isinstance(v, int | float)},
        },
    )


if __name__ == "__main__":
    main()
