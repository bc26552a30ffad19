"""Backups (docs/backup.md): where the media copies and the manifests of each backup live.

The database itself is backed up by pgBackRest, driven by scripts/backup.sh, which reads the
same environment variables (BACKUP_DIR, BACKUP_PASSPHRASE, ...); the Python side only needs
the places below.
"""

from pathlib import Path

import environ

env = environ.Env()

__all__ = [
    "BACKUP_DIR",
    "BACKUP_MEDIA_STORE",
    "BACKUP_MANIFEST_DIR",
    "BACKUP_LOCK_TIMEOUT_MS",
]

_ROOT = Path(__file__).resolve().parents[2]

# Everything a backup writes on this machine: the pgBackRest repository (repo/), the photo
# copies (media/) and one manifest per backup (manifests/). Production points it at a volume
# of its own, ideally another machine's (docs/backup.md).
BACKUP_DIR = env.path("BACKUP_DIR", default=_ROOT / ".backups")
# Every version of every media file ever seen, by content (sha256), with a journal of when
# each path had which content: a restore to any time inside the retention window finds the
# files its rows name.
BACKUP_MEDIA_STORE = env.path("BACKUP_MEDIA_STORE", default=Path(BACKUP_DIR) / "media")
BACKUP_MANIFEST_DIR = env.path("BACKUP_MANIFEST_DIR", default=Path(BACKUP_DIR) / "manifests")
# The manifest freezes writes for the time it counts rows (a SHARE lock on every table, so
# the counts are exactly those of its restore point); a writer busy longer than this makes it
# try again rather than queue the site behind it.
BACKUP_LOCK_TIMEOUT_MS = env.int("BACKUP_LOCK_TIMEOUT_MS", default=5_000)
