"""Submissions per second: POSTs of GeoJSON points through gunicorn, beside pgbench inserting
equivalent rows into contributions_contribution (PostgreSQL's own insert rate, the ceiling).

Both sides insert rows that fire the same triggers (perimeter check, per-cell counts, data
version) for SECONDS with the same number of clients, at points inside the perimeter. The
endpoint also parses, validates, checks containment and renders the created Feature.

    .venv/bin/python bench/submissions.py [--seconds 20] [--clients 4] [--workers 4]
"""

import argparse
import http.client
import json
import random
import subprocess
import threading
import time

from _setup import BENCH_DB, ROOT, Server, django_on_bench_database, emit, machine, percentile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from django.db import connection

    from contributions.models import Project

    project = Project.objects.select_related("perimeter").get(slug="piter-alpimed")
    # Points of existing contributions: inside the perimeter by construction.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p"
            " FROM contributions_contribution WHERE project_id = %s LIMIT 2000) s",
            [project.pk],
        )
        points = cursor.fetchall()
        cursor.execute(
            "SELECT slug FROM contributions_theme WHERE project_id = %s ORDER BY id", [project.pk]
        )
        theme = cursor.fetchone()[0]

    from django.utils import timezone

    since = timezone.now()  # what this run adds is deleted at the end: sizes stay as named
    latencies, failures, lock = [], [], threading.Lock()
    path = f"/api/projects/{project.slug}/contributions/"

    def client(seed, deadline):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", 8765, timeout=60)
        while time.perf_counter() < deadline:
            lon, lat = rng.choice(points)
            body = json.dumps(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"kind": "proposal", "theme": theme, "title": "Banc"},
                }
            )
            started = time.perf_counter()
            conn.request("POST", path, body, {"Content-Type": "application/geo+json"})
            response = conn.getresponse()
            response.read()
            with lock:
                if response.status == 201:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    failures.append(response.status)

    # Rate limits protect the public site; here one address sends everything.
    with Server(workers=args.workers, extra_env={"RATE_LIMITS_ENABLED": "false"}):
        client(0, time.perf_counter() + 2)  # warm-up
        latencies.clear()
        started = time.perf_counter()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(i + 1, deadline)) for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ours = len(latencies) / (time.perf_counter() - started)
    if failures:
        raise SystemExit(f"{len(failures)} submissions failed: {sorted(set(failures))}")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM contributions_contribution WHERE project_id = %s LIMIT 1", [project.pk]
        )
        (template,) = cursor.fetchone()
        cursor.execute(
            "SELECT column_name, udt_name FROM information_schema.columns"
            " WHERE table_name = 'contributions_contribution' ORDER BY ordinal_position"
        )
        columns = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_points")
        cursor.execute("CREATE TABLE bench_points (i int PRIMARY KEY, lon float8, lat float8)")
        with cursor.copy("COPY bench_points (i, lon, lat) FROM STDIN") as copy:
            for i, (lon, lat) in enumerate(points, start=1):
                copy.write_row((i, lon, lat))
    # The same row as the endpoint writes, copied from a template with a new id, place and
    # dates: every column, constraint, index and trigger is exercised as in a submission.
    values = []
    for name, udt in columns:
        if name == "id":
            values.append("gen_random_uuid()")
        elif udt == "geometry":
            values.append("ST_SetSRID(ST_Point(p.lon, p.lat), 4326)")
        elif name in ("created_at", "updated_at"):
            values.append("now()")
        elif name == "status":
            values.append("'published'")
        else:
            values.append(f"t.{name}")
    out = ROOT / "bench" / "out"
    out.mkdir(mode=0o755, exist_ok=True)
    script = out / "insert.sql"
    script.write_text(
        f"\\set i random(1, {len(points)})\n"
        f"INSERT INTO contributions_contribution ({', '.join(n for n, _u in columns)})"
        f" SELECT {', '.join(values)} FROM contributions_contribution t, bench_points p"
        f" WHERE t.id = '{template}' AND p.i = :i;\n"
    )
    script.chmod(0o644)
    command = [ROOT / "scripts" / "localdb.sh", "pgbench-run", "-n", "-c", str(args.clients)]
    command += ["-j", str(args.clients), "-T", str(args.seconds), "-f", str(script), BENCH_DB]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    tps = float(result.stdout.split("tps = ")[1].split()[0])
    from contributions.models import Contribution

    added, _ = Contribution.objects.filter(project=project, created_at__gte=since).delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_points")

    print(f"machine: {machine()}")
    print(f"{args.clients} clients, {args.seconds} s each side; gunicorn {args.workers} workers")
    print("| method | submissions/s | p50 (ms) | p95 (ms) |")
    print("|---|---|---|---|")
    print(
        f"| endpoint, HTTP (gunicorn) | {ours:.0f} | {percentile(latencies, 0.5):.1f} "
        f"| {percentile(latencies, 0.95):.1f} |"
    )
    print(f"| INSERT, pgbench | {tps:.0f} | - | - |")
    print(f"endpoint / pgbench: {ours / tps:.0%}")
    emit(
        args,
        {
            "per_s": ours,
            "p50_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95),
            "pgbench_per_s": tps,
        },
    )


if __name__ == "__main__":
    main()
