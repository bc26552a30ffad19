"""Containment check: the selector vs the naive query on the unioned multipolygon.

The perimeter is the union of all 229 communes of the shared French and Italian files.
Every method answers the same random points of the perimeter's bounding box in one run, in
alternating blocks; medians per check (wall clock, as the application pays it, database round
trip included for SQL methods) and ratios are printed as Markdown table rows.

    .venv/bin/python bench/containment.py [--points 2000]
"""

import argparse
import random
import statistics
import time

from _setup import SHARED_BOUNDARIES, django_on_bench_database, emit, machine

ROUNDS = 10
NAIVE_SQL = (
    "SELECT ST_Intersects(geom, ST_Point(%s, %s, 4326)) FROM territories_territory WHERE id = %s"
)
NAIVE_TOLERANCE_SQL = (
    "SELECT ST_DWithin(geom::geography, ST_Point(%s, %s, 4326)::geography, %s)"
    " FROM territories_territory WHERE id = %s"
)


def prepare():
    from territories.models import Territory
    from territories.services import FieldMap, build_perimeter, import_territories

    import_territories(path=SHARED_BOUNDARIES / "fr06_communes.geojson", country="FR")
    import_territories(
        path=SHARED_BOUNDARIES / "it_imperia_P8_comuni.geojson",
        country="IT",
        fields=FieldMap(code="com_istat_code"),
    )
    files = ["fr06_communes.geojson", "it_imperia_P8_comuni.geojson"]
    codes = list(
        Territory.objects.communes().filter(source__in=files).values_list("code", flat=True)
    )
    assert len(codes) == 229, len(codes)
    _outcome, perimeter = build_perimeter(slug="bench-all-communes", name="All", codes=codes)
    return perimeter


def measure(points, tolerance, perimeter_id):
    from django.db import connection

    from territories import selectors

    def naive(cursor, lon, lat):
        if tolerance:
            cursor.execute(NAIVE_TOLERANCE_SQL, [lon, lat, tolerance, perimeter_id])
        else:
            cursor.execute(NAIVE_SQL, [lon, lat, perimeter_id])
        return cursor.fetchone()[0]

    methods = {
        "selector": lambda _c, lon, lat: selectors.covers_point(perimeter_id, lon, lat, tolerance),
        "pieces_sql": lambda _c, lon, lat: selectors.covers_point_in_database(
            perimeter_id, lon, lat, tolerance
        ),
        "naive": naive,
    }
    timings = {name: [] for name in methods}
    answers = {name: [] for name in methods}
    names = list(methods)
    with connection.cursor() as cursor:
        for lon, lat in points[:50]:  # warm caches on every side
            for method in methods.values():
                method(cursor, lon, lat)
        # Alternating blocks: each method runs warm over the same points, and every method
        # sees the same stretches of machine noise.
        for block in range(ROUNDS):
            chunk = points[block::ROUNDS]
            for name in names[block % len(names) :] + names[: block % len(names)]:
                method = methods[name]
                for lon, lat in chunk:
                    t0 = time.perf_counter()
                    answer = method(cursor, lon, lat)
                    timings[name].append(time.perf_counter() - t0)
                    answers[name].append(((lon, lat), bool(answer)))
    reference = dict(answers["naive"])
    disagreements = sum(
        reference[point] != answer for name in names for point, answer in answers[name]
    )
    return {name: statistics.median(t) * 1000 for name, t in timings.items()}, disagreements


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from territories import selectors

    perimeter = prepare()
    xmin, ymin, xmax, ymax = perimeter.geom.extent
    rng = random.Random(args.seed)
    points = [(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)) for _ in range(args.points)]
    inside = sum(selectors.covers_point(perimeter.pk, *p) for p in points)

    print(f"machine: {machine()}")
    print(
        f"perimeter: 229 communes, {perimeter.geom.num_coords} vertices, "
        f"{perimeter.pieces.count()} pieces; {len(points)} points, {inside} inside"
    )
    print(
        "| check | selector (ms) | pieces in SQL (ms) | naive on the union (ms) "
        "| naive / selector | disagreements |"
    )
    print("|---|---|---|---|---|---|")
    figures = {}
    for label, tolerance in (("point in perimeter", 0), ("point within 50 m", 50)):
        ms, disagreements = measure(points, tolerance, perimeter.pk)
        figures[f"tolerance_{tolerance}"] = {**ms, "disagreements": disagreements}
        print(
            f"| {label} | {ms['selector']:.4f} | {ms['pieces_sql']:.3f} | {ms['naive']:.3f} "
            f"| {ms['naive'] / ms['selector']:.0f}x | {disagreements} |"
        )
    emit(args, figures)


if __name__ == "__main__":
    main()
