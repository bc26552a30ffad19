"""The media copy: every version of every file under MEDIA_ROOT, stored by content.

pgBackRest copies the database; the photos are files beside it, so they get a store of their
own that a restore to any point in time can draw from:

- ``objects/ab/abcdef...``: each distinct content once, named by its sha256 (a photo is never
  copied twice, and a copy is checked against its name when it is read back);
- ``journal.jsonl``: one line per (path, content) first seen, with the file's mtime and the
  time of the sync that saw it, and one line when a sync finds the path gone. A path whose
  content changed (a photo rewritten without its metadata) has several lines; a deleted file
  keeps its copy, so a restore to a time before an erasure still finds the photo, until the
  retention window passes the deletion (`expire`) and the copy goes.

Nothing here reads the database: which files a restored database needs is the caller's
question (core.backup.manifest.file_paths).
"""

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class SyncReport:
    seen: int = 0
    copied: int = 0
    bytes_copied: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class RestoreReport:
    restored: int = 0
    bytes_restored: int = 0
    missing: list = field(default_factory=list)  # paths the store has no copy of
    quarantined: list = field(default_factory=list)  # files no row names, moved aside


class MediaStore:
    def __init__(self, root):
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.journal = self.root / "journal.jsonl"

    def object_path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256

    def entries(self):
        """The journal's lines, oldest first."""
        if not self.journal.exists():
            return
        with open(self.journal, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def versions(self) -> dict[str, list[dict]]:
        """path -> its journal entries, oldest first (deletions included)."""
        by_path: dict[str, list[dict]] = {}
        for entry in self.entries():
            by_path.setdefault(entry["path"], []).append(entry)
        return by_path

    def sync(self, media_root) -> SyncReport:
        """Copies every file of media_root whose (path, size, mtime) the journal lacks.

        Only new or changed files are read: a sync over a million unchanged photos is a walk
        of the directory tree and one stat per file."""
        media_root = Path(media_root)
        report = SyncReport()
        by_path = self.versions()
        known = {
            (e["path"], e["size"], e["mtime_ns"])
            for entries in by_path.values()
            for e in entries
            if not e.get("deleted")
        }
        self.objects.mkdir(parents=True, exist_ok=True)
        now = time.time()
        lines, present = [], set()
        for path in sorted(media_root.rglob("*")) if media_root.is_dir() else ():
            if not path.is_file() or path.is_symlink():
                continue
            report.seen += 1
            stat = path.stat()
            name = path.relative_to(media_root).as_posix()
            present.add(name)
            last = by_path.get(name, [{}])[-1]
            if (name, stat.st_size, stat.st_mtime_ns) in known and not last.get("deleted"):
                report.unchanged += 1
                continue
            sha = sha256_file(path)
            target = self.object_path(sha)
            if not target.exists():
                self._copy_in(path, target, sha)
                report.copied += 1
                report.bytes_copied += stat.st_size
            lines.append(
                {
                    "path": name,
                    "sha256": sha,
                    "size": stat.st_size,
                    "mtime_ns": stat.st_mtime_ns,
                    "synced_at": now,
                }
            )
        for name, entries in by_path.items():
            if name not in present and not entries[-1].get("deleted"):
                lines.append({"path": name, "deleted": True, "synced_at": now})
                report.deleted += 1
        if lines:
            # Objects first, journal after: a line never names a copy that is not there yet.
            _fsync_dir(self.objects)
            with open(self.journal, "a", encoding="utf-8") as handle:
                handle.writelines(json.dumps(line, sort_keys=True) + "\n" for line in lines)
                handle.flush()
                os.fsync(handle.fileno())
        return report

    def _copy_in(self, source: Path, target: Path, sha: str) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copyfile(source, partial)
        # The file may have changed while it was read: keep the copy only if it is the content
        # that was hashed (the next sync sees the new one).
        if sha256_file(partial) != sha:
            partial.unlink()
            raise OSError(f"{source} changed while it was copied; sync again")
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)
        partial.replace(target)

    def version_at(self, entries: list[dict], at: datetime | None) -> dict:
        """The content a path had at a time: the newest version written (mtime) by then;
        the oldest when every version is later (the row was there before its file's mtime
        says, which a clock step can do); the newest when no time is asked."""
        entries = [e for e in entries if not e.get("deleted")]
        if not entries:
            return None
        if at is None:
            return entries[-1]
        limit = at.timestamp() * 1e9
        before = [e for e in entries if e["mtime_ns"] <= limit]
        return max(before, key=lambda e: e["mtime_ns"]) if before else entries[0]

    def restore(self, paths, media_root, *, at: datetime | None = None) -> RestoreReport:
        """Writes into media_root each of `paths` as it was at `at`, checked against its
        sha256; files already there with the right content are left alone."""
        media_root = Path(media_root)
        report = RestoreReport()
        versions = self.versions()
        for name in sorted(paths):
            entries = versions.get(name)
            entry = self.version_at(entries or [], at)
            if entry is None:
                report.missing.append(name)
                continue
            source = self.object_path(entry["sha256"])
            target = media_root / name
            if not source.exists() or sha256_file(source) != entry["sha256"]:
                report.missing.append(name)
                continue
            if target.exists() and sha256_file(target) == entry["sha256"]:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            os.utime(target, ns=(entry["mtime_ns"], entry["mtime_ns"]))
            report.restored += 1
            report.bytes_restored += entry["size"]
        return report

    def quarantine(self, paths, media_root, quarantine_dir) -> list[str]:
        """Moves the files of media_root that no row names (`paths` are the named ones) into
        quarantine_dir: after an in-place restore to an earlier time they belong to rows the
        restore undid. Moved, not deleted: a person decides."""
        media_root, quarantine_dir = Path(media_root), Path(quarantine_dir)
        wanted = set(paths)
        moved = []
        for path in sorted(media_root.rglob("*")) if media_root.is_dir() else ():
            if not path.is_file():
                continue
            name = path.relative_to(media_root).as_posix()
            if name in wanted:
                continue
            target = quarantine_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            moved.append(name)
        return moved

    def expire(self, before: datetime) -> int:
        """Forgets what no restore point from `before` on (the oldest backup kept) can need:
        files deleted before it (an erased person's photos leave the backups here), and
        versions replaced before it; removes the objects no remaining line names. Returns the
        number of objects removed."""
        limit = before.timestamp()
        keep = []
        for _path, entries in self.versions().items():
            if entries[-1].get("deleted") and entries[-1]["synced_at"] < limit:
                continue
            # The version current at `before` stays (a restore to that time needs it), and
            # everything after it.
            current = self.version_at(entries, before)
            keep += [
                e
                for e in entries
                if e is current
                or e.get("deleted")
                or (current and e["mtime_ns"] > current["mtime_ns"])
            ]
        keep.sort(key=lambda e: (e["synced_at"], e["path"]))
        partial = self.journal.with_suffix(".partial")
        with open(partial, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(line, sort_keys=True) + "\n" for line in keep)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(self.journal)
        named = {e["sha256"] for e in keep if not e.get("deleted")}
        removed = 0
        for obj in self.objects.glob("*/*") if self.objects.is_dir() else ():
            if obj.name not in named:
                obj.unlink()
                removed += 1
        return removed


def _fsync_dir(path: Path) -> None:
    for directory in [path, *(p for p in path.iterdir() if p.is_dir())]:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
