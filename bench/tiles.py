"""Vector tiles through HTTP beside the raw ST_AsMVT query run by pgbench.

1,000 tiles from zoom 6 to 16 around random points of the perimeter, the same for both:

- endpoint: GET /tiles/{slug}/{z}/{x}/{y}.pbf from gunicorn (2 workers, 2 client threads),
  ETag caching off (no If-None-Match), so every tile is computed;
- raw: pgbench (2 clients) running the plain ST_AsMVT of the tile's public contributions,
  communes and perimeter, with the same tile list, the throughput ceiling of PostgreSQL
  without clustering or HTTP.

    .venv/bin/python bench/tiles.py [--tiles 1000]
"""

import argparse
import http.client
import math
import random
import subprocess
import threading
import time

from _setup import BENCH_DB, ROOT, Server, django_on_bench_database, emit, machine, percentile

RAW_TILE_SQL = """
CREATE OR REPLACE FUNCTION bench_raw_tile(p bigint, per bigint, z int, x int, y int)
RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT ST_AsMVT(q, 'contributions', 4096, 'geom') FROM (
               SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), ST_TileEnvelope(z, x, y)) AS geom,
                      c.id::text AS id, c.kind, c.title
               FROM contributions_contribution c
               WHERE c.project_id = p AND c.status IN
                     ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected',
                      'duplicate')
               AND c.geom && ST_Transform(ST_TileEnvelope(z, x, y), 4326)) q), ''::bytea)
        || coalesce((SELECT ST_AsMVT(q, 'communes', 4096, 'geom') FROM (
               SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), ST_TileEnvelope(z, x, y)) AS geom,
                      t.name, t.code
               FROM territories_territory t
               JOIN territories_territory_members m ON m.to_territory_id = t.id
               WHERE m.from_territory_id = per
               AND t.geom && ST_Transform(ST_TileEnvelope(z, x, y), 4326)) q), ''::bytea)
$$;
DROP TABLE IF EXISTS bench_tiles;
CREATE TABLE bench_tiles (i int PRIMARY KEY, z int, x int, y int);
"""


def tiles(extent, count, seed):
    rng = random.Random(seed)
    west, south, east, north = extent
    for _ in range(count):
        z = rng.randint(6, 16)
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        n = 2**z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        yield z, x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--project", default="piter-alpimed")
    parser.add_argument("--pgbench-seconds", type=int, default=0, help="0: one pass of the tiles")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from django.db import connection

    from contributions.models import Project

    project = Project.objects.select_related("perimeter").get(slug=args.project)
    chosen = list(tiles(project.perimeter.geom.extent, args.tiles, args.seed))

    latencies, sizes, lock = [], [], threading.Lock()
    queue = list(enumerate(chosen))

    def worker():
        client = http.client.HTTPConnection("127.0.0.1", 8765, timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                _i, (z, x, y) = queue.pop()
            started = time.perf_counter()
            client.request("GET", f"/tiles/{project.slug}/{z}/{x}/{y}.pbf")
            response = client.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status in (200, 204), body[:200]
            with lock:
                latencies.append(elapsed)
                sizes.append(len(body))

    with Server():
        warm = http.client.HTTPConnection("127.0.0.1", 8765, timeout=120)
        for z, x, y in chosen[:20]:
            warm.request("GET", f"/tiles/{project.slug}/{z}/{x}/{y}.pbf")
            warm.getresponse().read()
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        endpoint_seconds = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute(RAW_TILE_SQL)
        with cursor.copy("COPY bench_tiles (i, z, x, y) FROM STDIN") as copy:
            for i, (z, x, y) in enumerate(chosen, start=1):
                copy.write_row((i, z, x, y))
    # pgbench runs as the cluster's owner: the script must be readable by it.
    out = ROOT / "bench" / "out"
    out.mkdir(mode=0o755, exist_ok=True)
    script = out / "tile.sql"
    script.write_text(
        f"\\set i random(1, {len(chosen)})\n"
        f"SELECT length(bench_raw_tile({project.pk}, {project.perimeter_id}, z, x, y))"
        " FROM bench_tiles WHERE i = :i;\n"
    )
    script.chmod(0o644)
    command = [ROOT / "scripts" / "localdb.sh", "pgbench-run", "-n", "-c", "2", "-j", "2"]
    if args.pgbench_seconds:  # the raw query can take seconds a tile on dense data
        command += ["-T", str(args.pgbench_seconds), "-f", str(script), BENCH_DB]
    else:
        command += ["-t", str(len(chosen) // 2), "-f", str(script), BENCH_DB]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr)
    tps = float(result.stdout.split("tps = ")[1].split()[0])
    latency = float(result.stdout.split("latency average = ")[1].split()[0])

    ours = len(chosen) / endpoint_seconds
    print(f"machine: {machine()}")
    print(f"{len(chosen)} tiles, zooms 6-16; mean tile {sum(sizes) / len(sizes) / 1024:.1f} KiB")
    print("| method | tiles/s | p50 (ms) | p95 (ms) |")
    print("|---|---|---|---|")
    print(
        f"| endpoint, HTTP (gunicorn, 2 clients) | {ours:.0f} | "
        f"{percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.95):.1f} |"
    )
    print(f"| raw ST_AsMVT, pgbench (2 clients) | {tps:.0f} | {latency:.1f} (mean) | - |")
    print(f"endpoint / raw throughput: {ours / tps:.0%}")
    emit(
        args,
        {
            "tiles": len(chosen),
            "tiles_per_s": ours,
            "p50_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95),
            "raw_tiles_per_s": tps,
            "raw_mean_ms": latency,
        },
    )


if __name__ == "__main__":
    main()
