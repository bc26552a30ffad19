"""Matching one published contribution against 100,000 place follows.

The follows are random communes (their boundary copied), circles (50 m to 10 km, geodesic
buffers) and drawn areas (small polygons) over the PITER ALPIMED territory, 90% confirmed, a
fifth for every project. Each round matches the same 200 public contributions, in
alternating blocks, four ways:

- ours: contributions.services.places.matching_follow_ids, the one PostGIS query joining the
  contribution's public geometry against the follows' GiST index;
- the same query with index scans turned off (a sequential scan of the follows);
- shapely prepared geometries held in memory, vectorised and in a Python loop (loading and
  preparing them is timed apart; it is paid at every process start and every new follow).

The references take about a second per match, so they run on the first 20 contributions of
each round (--reference-matches).

Median and p95 per match (wall clock, database round trip included), and the check that the
three agree, are printed as Markdown table rows.

    .venv/bin/python bench/place_follows.py [--follows 100000] [--matches 200]
"""

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("BENCH_DB", "mapping_bench_places")

from _setup import django_on_bench_database, emit, machine, percentile

# Raw SQL: 100,000 rows in a few statements (the service writes one follow per request).
INSERT_COMMUNES = """
WITH pick AS (
    SELECT n, (%(ids)s::bigint[])[1 + floor(random() * cardinality(%(ids)s::bigint[]))::int] AS tid
    FROM generate_series(1, %(count)s) AS n
)
INSERT INTO contributions_placefollow
    (id, email, language, token, project_id, kind, territory_id, geom, label, frequency,
     created_at, confirmed_at)
SELECT gen_random_uuid(), 'bench-' || n || '@example.org', 'fr', 'bench-c-' || n,
       CASE WHEN random() < 0.2 THEN NULL ELSE %(project)s END, 'commune', t.id, t.geom, t.name,
       (ARRAY['immediate', 'daily', 'weekly'])[1 + floor(random() * 3)::int],
       now(), CASE WHEN random() < 0.9 THEN now() END
FROM pick JOIN territories_territory t ON t.id = pick.tid
"""

INSERT_SHAPES = """
WITH p AS (
    SELECT n, ST_SetSRID(ST_MakePoint(
        %(xmin)s + random() * (%(xmax)s - %(xmin)s), %(ymin)s + random() * (%(ymax)s - %(ymin)s)
    ), 4326) AS centre, 50 + random() * 9950 AS radius
    FROM generate_series(1, %(count)s) AS n
)
INSERT INTO contributions_placefollow
    (id, email, language, token, project_id, kind, centre, radius_m, geom, label, frequency,
     created_at, confirmed_at)
SELECT gen_random_uuid(), 'bench-' || %(kind)s::text || n || '@example.org', 'it',
       'bench-' || %(kind)s::text || '-' || n,
       CASE WHEN random() < 0.2 THEN NULL ELSE %(project)s END, %(kind)s::text,
       CASE WHEN %(kind)s::text = 'circle' THEN centre END,
       CASE WHEN %(kind)s::text = 'circle' THEN round(radius) END,
       CASE WHEN %(kind)s::text = 'circle'
            THEN ST_Multi(ST_Buffer(centre::geography, radius, 'quad_segs=16')::geometry)
            -- a drawn area: an irregular polygon of 12 corners, 200 m to 5 km across
            ELSE ST_Multi(ST_ConvexHull(ST_Collect(ARRAY(
                SELECT ST_Project(centre::geography, radius / 2 * (0.3 + random()),
                                  radians(k * 30))::geometry
                FROM generate_series(1, 12) AS k
            ))))
       END,
       '', (ARRAY['immediate', 'daily', 'weekly'])[1 + floor(random() * 3)::int],
       now(), CASE WHEN random() < 0.9 THEN now() END
FROM p
"""


def prepare(follows):
    from django.db import connection

    from contributions.models import PlaceFollow
    from mapping.demo import load_demo

    project = load_demo(count=300)
    if PlaceFollow.objects.count() != follows:
        PlaceFollow.objects.all().delete()
        perimeter = project.perimeter
        ids = list(perimeter.members.filter(valid_until__isnull=True).values_list("id", flat=True))
        xmin, ymin, xmax, ymax = perimeter.geom.extent
        third = follows // 3
        with connection.cursor() as cursor:
            cursor.execute(INSERT_COMMUNES, {"project": project.pk, "count": third, "ids": ids})
            for kind, count in (("circle", third), ("area", follows - 2 * third)):
                cursor.execute(
                    INSERT_SHAPES,
                    {
                        "project": project.pk,
                        "count": count,
                        "kind": kind,
                        "xmin": xmin,
                        "ymin": ymin,
                        "xmax": xmax,
                        "ymax": ymax,
                    },
                )
            cursor.execute("ANALYZE contributions_placefollow")
    return project


def load_shapely(project_id):
    """Every confirmed follow of the project or of all, prepared, in memory."""
    import shapely
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ST_AsBinary(geom) FROM contributions_placefollow"
            " WHERE confirmed_at IS NOT NULL AND (project_id IS NULL OR project_id = %s)",
            [project_id],
        )
        rows = cursor.fetchall()
    ids = [row[0] for row in rows]
    shapes = shapely.from_wkb([bytes(row[1]) for row in rows])
    shapely.prepare(shapes)
    return ids, shapes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--follows", type=int, default=100_000)
    parser.add_argument("--matches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    # The references are slow (a second or so each without the index): fewer of them.
    parser.add_argument("--reference-matches", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()

    import shapely
    from django.db import connection

    from contributions.models import PUBLIC_STATUSES, Contribution
    from contributions.services.places import MATCH_CONTRIBUTION_SQL, matching_follow_ids

    started = time.perf_counter()
    project = prepare(args.follows)
    print(f"set-up: {time.perf_counter() - started:.1f} s")
    rng = random.Random(1)
    items = list(
        Contribution.objects.filter(project=project, status__in=PUBLIC_STATUSES).values_list(
            "pk", "public_geom"
        )
    )
    items = rng.sample(items, min(args.matches, len(items)))

    started = time.perf_counter()
    ids, shapes = load_shapely(project.pk)
    load_s = time.perf_counter() - started

    def ours(pk, _geom):
        return set(matching_follow_ids(contribution_id=pk))

    def no_index(pk, _geom):
        with connection.cursor() as cursor:
            cursor.execute(MATCH_CONTRIBUTION_SQL, [pk, list(PUBLIC_STATUSES)])
            return {row[0] for row in cursor.fetchall()}

    def python_loop(_pk, geom):
        point = shapely.from_wkb(bytes(geom.wkb))
        hits = shapely.intersects(shapes, point)
        return {ids[i] for i in hits.nonzero()[0]}

    def python_plain_loop(_pk, geom):
        point = shapely.from_wkb(bytes(geom.wkb))
        return {ids[i] for i, shape in enumerate(shapes) if shape.intersects(point)}

    methods = {
        "ours (GiST)": ours,
        "same query, no index": no_index,
        "shapely prepared, vectorised": python_loop,
        "shapely prepared, Python loop": python_plain_loop,
    }
    times = {name: [] for name in methods}
    answers = {}
    for _round in range(args.rounds):
        for name, method in methods.items():
            if name == "same query, no index":
                with connection.cursor() as cursor:
                    cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
            chosen = items if name == "ours (GiST)" else items[: args.reference_matches]
            for pk, geom in chosen:
                start = time.perf_counter()
                found = method(pk, geom)
                times[name].append((time.perf_counter() - start) * 1000)
                answers.setdefault(pk, {})[name] = found
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan")
    agree = all(
        len({frozenset(v) for v in by.values()}) == 1 for by in answers.values() if len(by) > 1
    )
    matched = statistics.mean(len(by["ours (GiST)"]) for by in answers.values())

    print(
        f"\n{machine()}; {args.follows:,} follows; {len(items)} contributions x {args.rounds}"
        f" rounds (references: the first {args.reference_matches})"
    )
    print(f"follows matched per contribution: {matched:.1f} on average; methods agree: {agree}")
    print(f"shapely: loading and preparing {len(ids):,} geometries took {load_s:.2f} s\n")
    print("| method | median (ms) | p95 (ms) | vs ours (median) |")
    print("|---|---|---|---|")
    reference = statistics.median(times["ours (GiST)"])
    figures = {}
    for name, values in times.items():
        median, p95 = statistics.median(values), percentile(values, 0.95)
        figures[name] = {"median_ms": median, "p95_ms": p95}
        print(f"| {name} | {median:.3g} | {p95:.3g} | {median / reference:.1f}x |")
    emit(args, figures)
    if not agree:
        raise SystemExit("the methods disagree")


if __name__ == "__main__":
    main()
