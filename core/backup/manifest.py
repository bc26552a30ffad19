"""A backup's manifest: what a restore to its restore point must hold, exactly.

The manifest is taken right after pgBackRest's backup, in one transaction that holds a SHARE
lock on every table of the application (writers wait, readers do not): no row can change
while it counts the rows of each table, lists the files the rows name, and creates a named
restore point (``pg_create_restore_point``) in the WAL. Recovering to that restore point
therefore gives exactly the counted rows; `core.backup.check` compares a restored database
with it. The lock lasts as long as the counting (the whole manifest and media step took 3.6 s
at a million contributions, Python's start-up included: bench/RESULTS.md); a writer that holds
its lock longer makes the manifest give up and retry instead of queueing the site behind it
(BACKUP_LOCK_TIMEOUT_MS).

Which rows name files is read from the models (every FileField of every installed model), so
this module imports no app: a new kind of upload is covered the day its model declares it.
"""

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField of the installed, managed or not, concrete models."""
    columns = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                columns.append((model._meta.db_table, field.column))
    return sorted(set(columns))


def ident(name: str) -> str:
    """A table or column name from the catalogue or a model, quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def file_paths(cursor) -> set[str]:
    """Every file name stored in a FileField column (relative to MEDIA_ROOT)."""
    paths = set()
    for table, column in file_columns():
        col = ident(column)
        cursor.execute(
            f"SELECT {col} FROM {ident(table)} WHERE {col} IS NOT NULL AND {col} <> %s",  # noqa: S608 - quoted identifiers
            [""],
        )
        paths.update(row[0] for row in cursor.fetchall())
    return paths


def application_tables(cursor) -> list[str]:
    """The ordinary tables of the public schema that no extension owns (PostGIS's
    spatial_ref_sys is the extension's, restored with it)."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relname
        """
    )
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {ident(table)}")  # noqa: S608 - quoted identifier
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def take(*, label: str, attempts: int = 5) -> dict:
    """Counts, lists and marks a restore point named after the backup `label`."""
    for attempt in range(1, attempts + 1):
        try:
            return _take(label)
        except OperationalError as exc:  # lock_timeout: a long writer; let it finish
            if "lock" not in str(exc).lower() or attempt == attempts:
                raise
            time.sleep(attempt)
    raise AssertionError("unreachable")


def _take(label: str) -> dict:
    point = restore_point_name(label)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.BACKUP_LOCK_TIMEOUT_MS}ms"])
        cursor.execute("SET LOCAL statement_timeout = 0")
        tables = application_tables(cursor)
        quoted = ", ".join(ident(table) for table in tables)
        cursor.execute(f"LOCK TABLE {quoted} IN SHARE MODE")
        counts = row_counts(cursor, tables)
        paths = file_paths(cursor)
        migrations = applied_migrations()
        cursor.execute(
            "SELECT pg_create_restore_point(%s)::text, clock_timestamp(), current_database()",
            [point],
        )
        lsn, at, database = cursor.fetchone()
    # Out of the transaction: close the WAL segment so the archive holds the restore point
    # within seconds rather than at the next archive_timeout.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_switch_wal()")
    return {
        "format": FORMAT,
        "label": label,
        "restore_point": point,
        "lsn": lsn,
        "time": at.astimezone(UTC).isoformat(),
        "database": database,
        "tables": counts,
        "migrations": migrations,
        "files": {path: None for path in sorted(paths)},  # sha256 filled from the media copy
    }


def restore_point_name(label: str) -> str:
    return f"manifest-{label}"


def write(manifest: dict, directory) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{manifest['label']}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return path


def read(path) -> dict:
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: not a backup manifest of format {FORMAT}")
    return manifest


def now_label() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
