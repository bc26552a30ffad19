"""OGC API items in another CRS (Part 2): the cost of PostGIS's ST_Transform on the page.

One page of features of the PITER ALPIMED collection, the same rows for every method,
through Django's handler (middleware, view, the database-built FeatureCollection), measured
in alternating rounds in one run:

- crs84: GET /ogc/collections/piter-alpimed-contributions/items?limit=N (the stored
  coordinates, the list's own query);
- epsg2154: the same with crs=EPSG:2154 (transformed to Lambert-93, centimetres);
- epsg4326: the same with crs=EPSG:4326 (latitude first: ST_FlipCoordinates, no projection);
- bbox2154 / bbox84: a 40 km box around Nice drawn in Lambert-93 (bbox-crs) against the
  same box's CRS84 envelope, both answered in CRS84.

    .venv/bin/python bench/ogc_crs.py [--rounds 7] [--page 10000]
    (needs a project with at least --page public contributions: BENCH_DB=... generate.py)
"""

import argparse
import json
import statistics
import time

from _setup import django_on_bench_database, emit, machine

ITEMS = "/ogc/collections/{slug}-contributions/items"
LAMBERT93 = "http://www.opengis.net/def/crs/EPSG/0/2154"
BOX_2154 = (1_020_000, 6_280_000, 1_060_000, 6_320_000)  # around Nice, metres


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--project", default="piter-alpimed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()

    import pyproj
    from django.test import Client

    from contributions.models import Contribution, Project

    project = Project.objects.get(slug=args.project)
    total = Contribution.objects.public().of_project(project).count()
    if total < args.page:
        raise SystemExit(f"only {total} public contributions; generate more first")
    url = ITEMS.format(slug=project.slug)
    envelope = pyproj.Transformer.from_crs(
        "EPSG:2154", "OGC:CRS84", always_xy=True
    ).transform_bounds(*BOX_2154, densify_pts=50)
    methods = {
        "crs84": {"limit": args.page},
        "epsg2154": {"limit": args.page, "crs": LAMBERT93},
        "epsg4326": {"limit": args.page, "crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
        "bbox2154": {
            "limit": args.page,
            "bbox": ",".join(map(str, BOX_2154)),
            "bbox-crs": LAMBERT93,
        },
        "bbox84": {"limit": args.page, "bbox": ",".join(f"{v:.6f}" for v in envelope)},
    }
    client = Client()

    def get(params):
        response = client.get(url, params, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content[:300]
        return response

    sizes, matched = {}, {}
    for name, params in methods.items():  # warm up
        response = get(params)
        sizes[name] = len(response.content)
        matched[name] = json.loads(response.content)["numberMatched"]
    timings = {name: [] for name in methods}
    names = list(methods)
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            started = time.perf_counter()
            get(methods[name])
            timings[name].append(time.perf_counter() - started)
    ms = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"machine: {machine()}")
    print(
        f"{total:,} public contributions in the project; page of {args.page:,} features; "
        f"{args.rounds} rounds; numberMatched: {json.dumps(matched)}; "
        f"response sizes (bytes): {json.dumps(sizes)}"
    )
    print("| method | median (ms) | method / crs84 |")
    print("|---|---|---|")
    for name in names:
        reference = "bbox84" if name.startswith("bbox") else "crs84"
        print(f"| {name} | {ms[name]:.0f} | {ms[name] / ms[reference]:.2f}x ({reference}) |")
    emit(
        args,
        {
            "total": total,
            "page": args.page,
            **{f"{name}_ms": value for name, value in ms.items()},
            "ratio_2154": ms["epsg2154"] / ms["crs84"],
        },
    )


if __name__ == "__main__":
    main()
