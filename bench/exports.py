"""export_layer against plain ogr2ogr reading the same rows from PostGIS.

The public export of every published contribution (a million after bench/generate.py), to
GeoJSON (EPSG:4326) and to GeoPackage (EPSG:2154), each beside ogr2ogr run by hand on a
plain SELECT of the same rows and columns, alternating, `--rounds` times (medians):

- **in-process**: `layers.exports.files.export_layer` called in this already-started process,
  as the staff HTTP export runs it; the figure the target compares with ogr2ogr;
- **command**: `manage.py export_layer` as a whole command, Python and Django start-up (about
  a second, whatever the size) included, with its peak memory (GNU time's maximum resident
  set size, the command and its children).

    .venv/bin/python bench/exports.py [--rounds 3]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import BENCH_DB, ROOT, django_on_bench_database, emit, machine

TIME = "/usr/bin/time"


def timed(command, env=None):
    result = subprocess.run(
        [TIME, "-f", "%e %M", *map(str, command)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django_on_bench_database()
    from contributions.models import PUBLIC_STATUSES, Project
    from contributions.selectors import ContributionFilters
    from layers.exports.files import export_layer
    from layers.exports.ogr2ogr import pg_source

    project = Project.objects.get(slug="piter-alpimed")
    count = project.contributions.public().count()
    source, pg_env = pg_source()
    statuses = ", ".join(f"'{s}'" for s in PUBLIC_STATUSES)
    plain_sql = (
        "SELECT c.id::text AS id, c.kind, c.sentiment, th.slug AS theme, c.title, c.description,"
        " c.status, t.code AS commune_code, t.name AS commune_name, c.answer, c.answered_at,"
        " c.vote_count AS votes, c.comment_count AS comments, c.channel, c.created_at, c.geom"
        " FROM contributions_contribution c JOIN contributions_theme th ON th.id = c.theme_id"
        " LEFT JOIN territories_current_of t ON t.id = c.commune_id"
        f" WHERE c.project_id = {project.pk} AND c.status IN ({statuses})"
    )
    env = {**os.environ, "DB_NAME": BENCH_DB, "DEBUG": "false"}
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for fmt, driver, srid, options in (
            ("geojson", "GeoJSON", 4326, ["-lco", "RFC7946=YES"]),
            ("gpkg", "GPKG", 2154, []),
        ):
            ours_path = Path(scratch) / f"ours.{fmt}"
            theirs_path = Path(scratch) / f"theirs.{fmt}"
            command = [
                sys.executable, "manage.py", "export_layer", "--project", project.slug,
                "--format", fmt, "--srid", srid, "--output", ours_path, "--public",
                "--no-progress", "--overwrite",
            ]  # fmt: skip
            reference = [
                "ogr2ogr", "-f", driver, *options, "-s_srs", "EPSG:4326", "-t_srs",
                f"EPSG:{srid}", theirs_path, source, "-sql", plain_sql,
            ]  # fmt: skip
            runs = {"command": [], "in_process": [], "ogr2ogr": []}
            for _ in range(args.rounds):
                runs["command"].append(timed(command, env=env))
                started = time.perf_counter()
                export_layer(
                    project=project, fmt=fmt, srid=srid, output=ours_path, public=True,
                    filters=ContributionFilters(), progress=None, overwrite=True,
                )  # fmt: skip
                runs["in_process"].append(time.perf_counter() - started)
                theirs_path.unlink(missing_ok=True)
                runs["ogr2ogr"].append(timed(reference, env={**os.environ, **pg_env}))
            ours = (
                statistics.median(s for s, _m in runs["command"]),
                max(m for _s, m in runs["command"]),
            )
            warm = statistics.median(runs["in_process"])
            theirs = (
                statistics.median(s for s, _m in runs["ogr2ogr"]),
                max(m for _s, m in runs["ogr2ogr"]),
            )
            rows.append((fmt, srid, ours, warm, theirs))
    print(f"machine: {machine()}")
    print(f"{count:,} public contributions")
    print(f"{args.rounds} rounds, medians")
    print(
        "| format | export_layer in-process (s) | command (s) | command peak MB "
        "| ogr2ogr (s) | ogr2ogr peak MB | in-process / ogr2ogr | command / ogr2ogr |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for fmt, srid, (s1, m1), warm, (s2, m2) in rows:
        print(
            f"| {fmt} (EPSG:{srid}) | {warm:.2f} | {s1:.2f} | {m1:.0f} | {s2:.2f} | {m2:.0f} "
            f"| {warm / s2:.2f}x | {s1 / s2:.2f}x |"
        )
    emit(
        args,
        {
            fmt: {
                "ours_s": warm,
                "command_s": s1,
                "ours_mb": m1,
                "ogr2ogr_s": s2,
                "ogr2ogr_mb": m2,
            }
            for fmt, _srid, (s1, m1), warm, (s2, m2) in rows
        },
    )


if __name__ == "__main__":
    main()
