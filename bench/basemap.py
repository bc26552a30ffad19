"""Territory basemap tiles: the endpoint beside its raw SQL alone.

The 229 communes of the shared French and Italian files (imported once into the bench
database) and their perimeter. At zooms 8, 10 and 12, the same tiles (random points of the
communes' extent, seed 5) are asked, in alternating rounds, from:

- endpoint: GET /basemap/territory/{z}/{x}/{y}.pbf?lang=it through Django's test client in
  this process (URL routing, query checks, the territories' version for the ETag, the
  response), no If-None-Match, so every tile is computed;
- raw SQL: the tile's one statement (layers.basemap.territory.SQL) on a cursor, the floor.

Medians per tile (wall clock) are printed as a Markdown table.

    .venv/bin/python bench/basemap.py [--tiles 60] [--rounds 5]
"""

import argparse
import random
import statistics
import time

from _setup import SHARED_BOUNDARIES, django_on_bench_database, emit, machine

ZOOMS = (8, 10, 12)


def prepare():
    from territories.models import Territory
    from territories.services import FieldMap, build_perimeter, import_territories

    files = ["fr06_communes.geojson", "it_imperia_P8_comuni.geojson"]
    if Territory.objects.communes().filter(source__in=files).count() < 229:
        import_territories(path=SHARED_BOUNDARIES / files[0], country="FR")
        import_territories(
            path=SHARED_BOUNDARIES / files[1], country="IT", fields=FieldMap(code="com_istat_code")
        )
    codes = list(
        Territory.objects.communes().filter(source__in=files).values_list("code", flat=True)
    )
    assert len(codes) == 229, len(codes)
    build_perimeter(slug="bench-all-communes", name="All", codes=codes)
    return Territory.objects.communes().filter(source__in=files)


def tiles_at(communes, zoom, count, rng):
    from django.contrib.gis.db.models import Extent

    from layers import grid

    x0, y0, x1, y1 = communes.aggregate(e=Extent("geom"))["e"]
    out = []
    for _ in range(count):
        mx, my = grid.to_mercator(rng.uniform(x0, x1), rng.uniform(y0, y1))
        size = grid.cell_size(zoom)
        out.append((zoom, int((mx + grid.ORIGIN) // size), int((grid.ORIGIN - my) // size)))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from django.db import connection
    from django.test import Client

    from layers.basemap import territory

    communes = prepare()
    client = Client(SERVER_NAME="127.0.0.1")
    rng = random.Random(5)
    rows, figures = [], {}
    for zoom in ZOOMS:
        tiles = tiles_at(communes, zoom, args.tiles, rng)
        timings = {"endpoint": [], "raw": []}
        sizes = []

        def endpoint(z, x, y, sizes=sizes):
            response = client.get(f"/basemap/territory/{z}/{x}/{y}.pbf", {"lang": "it"})
            assert response.status_code == 200, response.content[:200]
            sizes.append(len(response.content))

        def raw(z, x, y):
            with connection.cursor() as cursor:
                cursor.execute(territory.SQL, territory.params(z, x, y, "it"))
                cursor.fetchone()

        for tile in tiles[:5]:  # warm the caches of both
            endpoint(*tile)
            raw(*tile)
        for round_number in range(args.rounds):
            order = [("endpoint", endpoint), ("raw", raw)]
            for name, method in order if round_number % 2 == 0 else order[::-1]:
                for tile in tiles:
                    started = time.perf_counter()
                    method(*tile)
                    timings[name].append((time.perf_counter() - started) * 1000)
        ours = statistics.median(timings["endpoint"])
        floor = statistics.median(timings["raw"])
        mean_kib = statistics.mean(sizes) / 1024
        rows.append(f"| {zoom} | {ours:.2f} | {floor:.2f} | {ours / floor:.2f} | {mean_kib:.1f} |")
        figures[f"z{zoom}"] = {"endpoint_ms": ours, "raw_ms": floor, "mean_kib": mean_kib}
    print(f"{machine()}; {len(tiles)} tiles per zoom, {args.rounds} rounds, lang=it")
    print()
    print("| zoom | endpoint (ms) | raw SQL (ms) | ratio | mean tile (KiB) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    emit(args, figures)


if __name__ == "__main__":
    main()
