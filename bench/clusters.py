"""The cluster endpoint through HTTP beside supercluster (Node.js) on the same points.

200 random viewports (1024 x 768 pixels) at zooms 5 to 18 inside the project's perimeter,
the same for both. The endpoint is served by gunicorn on the bench database and asked one
viewport at a time; supercluster loads every public contribution's point and answers the
same viewports in-process (no HTTP), so its figures are a floor rather than a like-for-like.

The endpoint is measured three ways: computed by the workers' in-memory index (once both
workers have built it), the same viewports again from the shared cache, and computed by
the SQL path alone (a second server with CLUSTER_INDEX_MODE=off). The empty endpoint is
the health check (one trivial query, the same middleware), asked after each viewport of
the first pass so that both see the same moments of a noisy machine.

    .venv/bin/python bench/clusters.py [--viewports 200]
    (needs the bench database with contributions: bench/generate.py; Node.js and npm)
"""

import argparse
import http.client
import json
import random
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _setup import ROOT, Server, django_on_bench_database, emit, machine, percentile

WIDTH, HEIGHT = 1024, 768


def viewports(extent, count, seed):
    rng = random.Random(seed)
    west, south, east, north = extent
    for _ in range(count):
        zoom = rng.randint(5, 18)
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        degrees_per_pixel = 360 / (256 * 2**zoom)
        half_w, half_h = WIDTH / 2 * degrees_per_pixel, HEIGHT / 2 * degrees_per_pixel * 0.72
        yield {"zoom": zoom, "bbox": [lon - half_w, lat - half_h, lon + half_w, lat + half_h]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--project", default="piter-alpimed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from django.db import connection

    from contributions.models import PUBLIC_STATUSES, Project

    project = Project.objects.select_related("perimeter").get(slug=args.project)
    views = list(viewports(project.perimeter.geom.extent, args.viewports, args.seed))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM contributions_contribution c,"
            " LATERAL ST_Transform(layers_point(c.geom), 4326) p"
            " WHERE c.project_id = %s AND c.status = ANY(%s)",
            [project.pk, PUBLIC_STATUSES],
        )
        points = cursor.fetchall()

    warm_views = list(viewports(project.perimeter.geom.extent, 20, args.seed + 1))
    path = f"/api/projects/{project.slug}/clusters/?"
    # A fresh shared-cache prefix: every measured viewport is computed, then asked again.
    with Server(extra_env={"CACHE_KEY_PREFIX": f"bench-{time.time_ns()}"}):
        connection_ = http.client.HTTPConnection("127.0.0.1", 8765, timeout=60)
        build_s = _wait_for_index(path, warm_views)
        # The health check (one trivial query, the same middleware) is asked after each
        # viewport: the HTTP overhead, measured in the same moments as the endpoint.
        empty = []
        latencies, sources, matched = _ask(connection_, path, views, empty)
        assert sources == {"index"}, sources
        cached, sources, _ = _ask(connection_, path, views)  # the same viewports again
        assert sources == {"cache"}, sources
    with Server(
        extra_env={"CACHE_KEY_PREFIX": f"bench-{time.time_ns()}", "CLUSTER_INDEX_MODE": "off"}
    ):
        connection_ = http.client.HTTPConnection("127.0.0.1", 8765, timeout=60)
        _ask(connection_, path, warm_views)  # connections, PostgreSQL caches
        by_sql, sources, matched_by_sql = _ask(connection_, path, views)
        assert sources == {"sql"}, sources
        assert matched_by_sql == matched, (matched_by_sql, matched)

    with tempfile.TemporaryDirectory() as scratch:
        points_path, views_path = Path(scratch) / "points.json", Path(scratch) / "views.json"
        points_path.write_text(json.dumps(points))
        views_path.write_text(json.dumps(views))
        node = subprocess.run(
            ["node", "--expose-gc", "supercluster.mjs", str(points_path), str(views_path)],
            cwd=ROOT / "bench" / "node",
            capture_output=True,
            text=True,
            check=True,
        )
        reference = json.loads(node.stdout)

    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"machine: {machine()}")
    print(
        f"{len(points):,} public points; {len(views)} viewports at zooms 5-18; "
        f"{matched:,} contributions counted in all"
    )
    print("| method | p50 (ms) | p95 (ms) | index build (s) | index memory (MB) |")
    print("|---|---|---|---|---|")
    print(
        f"| endpoint, HTTP (gunicorn) | {p50:.1f} | {p95:.1f} | none (kept by triggers) | "
        "in PostgreSQL |"
    )
    print(
        f"| supercluster, in-process | {reference['p50_ms']:.2f} | {reference['p95_ms']:.2f} "
        f"| {reference['build_ms'] / 1000:.1f} | {reference['index_mb']:.0f} "
        f"(process RSS {reference['rss_mb']:.0f}) |"
    )
    print(
        f"| endpoint, SQL path only, HTTP | {percentile(by_sql, 0.5):.1f} | "
        f"{percentile(by_sql, 0.95):.1f} | none | in PostgreSQL |"
    )
    print(
        f"| endpoint, shared cache, HTTP | {percentile(cached, 0.5):.1f} | "
        f"{percentile(cached, 0.95):.1f} | - | Redis |"
    )
    empty_p95 = percentile(empty, 0.95)
    print(
        f"in-memory index ready {build_s:.1f} s after the first request; "
        f"empty endpoint p95 {empty_p95:.1f} ms; "
        f"endpoint p95 / (supercluster p95 + empty p95): "
        f"{p95 / (reference['p95_ms'] + empty_p95):.2f}x"
    )
    emit(
        args,
        {
            "points": len(points),
            "p50_ms": p50,
            "p95_ms": p95,
            "sql_p95_ms": percentile(by_sql, 0.95),
            "cached_p95_ms": percentile(cached, 0.95),
            "empty_p95_ms": empty_p95,
            "index_ready_s": build_s,
            "supercluster_p95_ms": reference["p95_ms"],
            "supercluster_build_ms": reference["build_ms"],
        },
    )


def _ask(connection_, path, views, empty=None):
    """Latencies (ms), where the answers came from, and the contributions counted; with
    `empty`, the health check's latency after each viewport is appended to it."""
    latencies, sources, matched = [], set(), 0
    for view in views:
        started = time.perf_counter()
        connection_.request("GET", path + urlencode(_query(view)))
        response = connection_.getresponse()
        body = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, body[:200]
        sources.add(_source(response))
        matched += json.loads(body)["numberMatched"]
        if empty is not None:
            started = time.perf_counter()
            connection_.request("GET", "/healthz")
            connection_.getresponse().read()
            empty.append((time.perf_counter() - started) * 1000)
    return latencies, sources, matched


def _source(response):
    timing = response.getheader("Server-Timing", "")
    return timing.split('desc="', 1)[1].split('"', 1)[0] if 'desc="' in timing else "?"


def _wait_for_index(path, warm_views, timeout=300, clients=4):
    """Asks the warm-up viewports from several clients at once (so that every worker gets
    requests, the first of which start its build) until 40 answers in a row come from the
    workers' indexes; returns the seconds that took."""
    started = time.perf_counter()
    state = {"streak": 0, "asked": 0}
    lock = threading.Lock()

    def client():
        connection_ = http.client.HTTPConnection("127.0.0.1", 8765, timeout=60)
        while True:
            with lock:
                if state["streak"] >= 40:
                    return
                if time.perf_counter() - started > timeout:
                    raise RuntimeError("the workers' cluster indexes were not ready in time")
                state["asked"] += 1
                asked = state["asked"]
            # A new viewport each time (a slight shift), so the shared cache never answers.
            view = warm_views[asked % len(warm_views)]
            bbox = [v + asked * 1e-6 for v in view["bbox"]]
            connection_.request("GET", path + urlencode(_query({**view, "bbox": bbox})))
            response = connection_.getresponse()
            response.read()
            with lock:
                state["streak"] = state["streak"] + 1 if _source(response) == "index" else 0
            if _source(response) != "index":
                time.sleep(0.05)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _query(view):
    return {"bbox": ",".join(f"{v:.6f}" for v in view["bbox"]), "zoom": view["zoom"]}


if __name__ == "__main__":
    main()
