"""Is a restored instance whole? The checks `manage.py check_restore` runs, one idea each:

- rows: each table holds the rows the backup's manifest counted (when the restore went to the
  manifest's restore point, where the counts are exact);
- files: every file a row names is under MEDIA_ROOT with the right sha256 (the manifest's, or
  one the media copy recorded for that path), and no file is there that no row names;
- migrations: none left to apply (the code and the restored schema agree);
- PostGIS: the extension answers, a spatial query through each geometry index finds rows, and
  a transformation to the metric CRS works (PROJ's data is there).
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.backup import manifest as manifests
from core.backup.media import MediaStore, sha256_file
from core.postgis import METRIC_SRID


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    problems: list = field(default_factory=list)


def check_restore(
    *, media_root, manifest: dict | None = None, counts: bool = True, store: MediaStore = None
) -> list[Result]:
    with connection.cursor() as cursor:
        tables = manifests.application_tables(cursor)
        results = []
        if manifest is not None and counts:
            results.append(check_counts(manifests.row_counts(cursor, tables), manifest["tables"]))
        paths = manifests.file_paths(cursor)
    results.append(check_files(paths, Path(media_root), manifest, store))
    results.append(check_migrations())
    results.append(check_postgis())
    return results


def check_counts(actual: dict, expected: dict) -> Result:
    problems = [
        f"{table}: {actual.get(table, 'no table')} rows, the manifest counted "
        f"{expected.get(table, 'no table')}"
        for table in sorted(set(actual) | set(expected))
        if actual.get(table) != expected.get(table)
    ]
    total = sum(actual.values())
    return Result(
        "rows",
        not problems,
        f"{len(actual)} tables, {total:,} rows"
        + (", as the manifest counted" if not problems else ""),
        problems,
    )


def check_files(paths: set, media_root: Path, manifest: dict | None, store) -> Result:
    expected = (manifest or {}).get("files") or {}
    known = store.versions() if store is not None else {}
    problems = []
    for name in sorted(paths):
        path = media_root / name
        if not path.is_file():
            problems.append(f"{name}: a row names it, the file is missing")
            continue
        sha = sha256_file(path)
        if expected.get(name):
            if sha != expected[name]:
                problems.append(f"{name}: sha256 {sha[:12]} differs from the manifest's")
        elif name in known:
            if sha not in {e.get("sha256") for e in known[name]}:
                problems.append(f"{name}: sha256 {sha[:12]} is no version the backup copied")
        else:
            problems.append(f"{name}: no checksum to compare it with (not in the backup)")
    orphans = sorted(
        p.relative_to(media_root).as_posix()
        for p in (media_root.rglob("*") if media_root.is_dir() else ())
        if p.is_file() and p.relative_to(media_root).as_posix() not in paths
    )
    problems += [f"{name}: no row names this file" for name in orphans]
    return Result(
        "files",
        not problems,
        f"{len(paths):,} files named by rows, checked by sha256; {len(orphans)} without a row",
        problems,
    )


def check_migrations() -> Result:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    problems = [f"{migration.app_label}.{migration.name} not applied" for migration, _ in plan]
    return Result("migrations", not problems, "at head" if not problems else "behind", problems)


def check_postgis() -> Result:
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version(), postgis_proj_version()")
        version, proj = cursor.fetchone()
        cursor.execute(
            "SELECT f_table_name, f_geometry_column FROM geometry_columns "
            "WHERE f_table_schema = 'public' ORDER BY 1, 2"
        )
        columns = cursor.fetchall()
        answered = 0
        for table_name, column_name in columns:
            table, column = manifests.ident(table_name), manifests.ident(column_name)
            # A point of one stored shape must find that shape again through the spatial
            # index (&& then the exact test), and move to the metric CRS.
            cursor.execute(
                f"""
                WITH probe AS (
                    SELECT ST_PointOnSurface({column}) AS p FROM {table}
                    WHERE {column} IS NOT NULL AND NOT ST_IsEmpty({column}) LIMIT 1
                )
                SELECT (SELECT count(*) FROM {table} t, probe
                        WHERE ST_Intersects(t.{column}, probe.p)),
                       (SELECT ST_X(ST_Transform(p, %s)) FROM probe)
                FROM probe
                """,  # noqa: S608 - quoted identifiers from geometry_columns
                [METRIC_SRID],
            )
            row = cursor.fetchone()
            if row is None:
                continue  # an empty table: nothing to find
            found, metric_x = row
            if not found:
                problems.append(
                    f"{table_name}.{column_name}: a point of a stored shape finds no row"
                )
            elif metric_x is None:
                problems.append(
                    f"{table_name}.{column_name}: the transformation to the metric CRS failed"
                )
            else:
                answered += 1
    return Result(
        "postgis",
        not problems,
        f"PostGIS {version} (PROJ {proj}); {answered} of {len(columns)} geometry columns "
        "answered a spatial query",
        problems,
    )
