"""manage.py diagnostic end to end on a million contributions, beside its own SQL floor.

The whole command (Django start-up, every query, the GeoTIFF, the map, the report as HTML and
as a paginated PDF, the QGIS project with its GeoPackage) is run ROUNDS times as a subprocess
on the bench database; reported are the median wall time, the peak resident memory of the
command (getrusage of the children), the size of map.html and of report.pdf.
References, in the same run: the raw SQL grid count that the density and the map start from
(one GROUP BY over the reprojected points, the floor of any per-cell method), and exact
point-level ST_ClusterDBSCAN over every point, the method the hotspots avoid (stopped after
DBSCAN_TIMEOUT_S).

    .venv/bin/python bench/diagnostic.py
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import BENCH_DB, ROOT, django_on_bench_database, machine

ROUNDS = 3
DBSCAN_TIMEOUT_S = 120
SLUG = "piter-alpimed"


def run_command(output: Path) -> float:
    env = {**os.environ, "DB_NAME": BENCH_DB, "DEBUG": "false"}
    command = [
        sys.executable,
        "manage.py",
        "diagnostic",
        "--project",
        SLUG,
        "--output",
        str(output),
        "--no-progress",
        "--overwrite",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    print(done.stdout.strip())
    return elapsed


def sql_references(project):
    from django.db import connection

    from contributions.models import PUBLIC_STATUSES

    grid_sql = """
        SELECT floor(ST_X(p) / 250)::int, floor(ST_Y(p) / 250)::int, theme_id, count(*)
        FROM (SELECT ST_Transform(CASE WHEN GeometryType(geom) = 'POINT' THEN geom
                                  ELSE ST_PointOnSurface(geom) END, 3035) AS p, theme_id
              FROM contributions_contribution
              WHERE project_id = %s AND status = ANY(%s)) s
        GROUP BY 1, 2, 3
    """
    timings = []
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        for _ in range(ROUNDS):
            start = time.perf_counter()
            cursor.execute(grid_sql, [project.pk, PUBLIC_STATUSES])
            cursor.fetchall()
            timings.append(time.perf_counter() - start)
        cursor.execute(f"SET statement_timeout = {DBSCAN_TIMEOUT_S * 1000}")
        start = time.perf_counter()
        try:
            cursor.execute(
                """
                SELECT max(cid) FROM (
                    SELECT ST_ClusterDBSCAN(ST_Transform(geom, 3035), eps => 250,
                                            minpoints => 10) OVER () AS cid
                    FROM contributions_contribution
                    WHERE project_id = %s AND status = ANY(%s)) s
                """,
                [project.pk, PUBLIC_STATUSES],
            )
            cursor.fetchall()
            dbscan = f"{time.perf_counter() - start:.1f}"
        except Exception:  # noqa: BLE001 - the statement timeout is the expected outcome
            dbscan = f"> {DBSCAN_TIMEOUT_S} (stopped)"
        finally:
            cursor.execute("SET statement_timeout = 0")
    return statistics.median(timings), dbscan


def main():
    django_on_bench_database()
    from contributions.models import Project

    project = Project.objects.get(slug=SLUG)
    count = project.contributions.public().count()
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "bundle"
        walls = [run_command(output) for _ in range(ROUNDS)]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        map_mb = (output / "map.html").stat().st_size / 1024 / 1024
        pdf_mb = (output / "report.pdf").stat().st_size / 1024 / 1024
        info = subprocess.run(
            ["pdfinfo", str(output / "report.pdf")], capture_output=True, text=True
        ).stdout
        pages = next(
            (line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "?"
        )
        sizes = {
            p.name: (
                sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
                if p.is_dir()
                else p.stat().st_size
            )
            / 1024
            for p in sorted(output.iterdir())
        }
    grid_s, dbscan = sql_references(project)
    print(f"machine: {machine()}")
    print(f"{count:,} public contributions, {ROUNDS} rounds")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| diagnostic wall time, median (s) | {statistics.median(walls):.1f} | < 120 |")
    print(f"| diagnostic wall time, all rounds (s) | {', '.join(f'{w:.1f}' for w in walls)} | |")
    print(f"| peak RSS of the command (MB) | {peak_mb:.0f} | |")
    print(f"| map.html (MB) | {map_mb:.2f} | < 10 |")
    print(f"| report.pdf (MB, pages) | {pdf_mb:.2f} ({pages} pages) | |")
    print(f"| raw SQL grid count, 250 m cells, median (s) | {grid_s:.1f} | reference |")
    print(f"| point-level ST_ClusterDBSCAN, 250 m / 10 (s) | {dbscan} | reference |")
    print("files (KiB): " + ", ".join(f"{name} {size:,.0f}" for name, size in sizes.items()))


if __name__ == "__main__":
    main()
