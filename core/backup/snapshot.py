"""The two steps around pgBackRest that the database copy alone cannot do: after a backup,
the manifest and the media copy; after a restore, the files the restored rows name."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.backup import manifest as manifests
from core.backup.media import MediaStore, RestoreReport, SyncReport


def store() -> MediaStore:
    return MediaStore(settings.BACKUP_MEDIA_STORE)


def sync_media() -> SyncReport:
    """Copies the new and changed files of MEDIA_ROOT (scheduled every minute: the photos'
    recovery point)."""
    return store().sync(settings.MEDIA_ROOT)


def snapshot(*, label: str) -> tuple[Path, dict, SyncReport]:
    """The manifest of the backup `label`, its restore point, and the media copy that holds
    every file its rows name, each with its sha256. Files a row names but MEDIA_ROOT lacks
    are listed under "missing" (the live site already misses them; the backup cannot
    invent them)."""
    manifest = manifests.take(label=label)
    # After the manifest: every file its rows name was written before its row committed, so
    # it is on disk now and this sync copies it.
    media = store()
    report = media.sync(settings.MEDIA_ROOT)
    versions = media.versions()
    at = datetime.fromisoformat(manifest["time"])
    missing = []
    for name in manifest["files"]:
        entry = media.version_at(versions.get(name, []), at)
        if entry is None:
            missing.append(name)
        else:
            manifest["files"][name] = entry["sha256"]
    manifest["missing"] = missing
    path = manifests.write(manifest, settings.BACKUP_MANIFEST_DIR)
    return path, manifest, report


def restore_files(*, at: datetime | None, quarantine: Path | None = None) -> RestoreReport:
    """Writes into MEDIA_ROOT the files the restored rows name, as they were at `at` (None:
    the newest copies); with `quarantine`, files no row names are moved there."""
    with connection.cursor() as cursor:
        paths = manifests.file_paths(cursor)
    media = store()
    report = media.restore(paths, settings.MEDIA_ROOT, at=at)
    if quarantine is not None:
        report.quarantined = media.quarantine(paths, settings.MEDIA_ROOT, quarantine)
    return report


def expire(*, before: datetime) -> tuple[int, int]:
    """Drops what no kept backup can reach: media versions (core.backup.media) and manifests
    of restore points before `before`. Returns (objects removed, manifests removed)."""
    objects = store().expire(before)
    removed = 0
    directory = Path(settings.BACKUP_MANIFEST_DIR)
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        if datetime.fromisoformat(manifests.read(path)["time"]) < before:
            path.unlink()
            removed += 1
    return objects, removed
