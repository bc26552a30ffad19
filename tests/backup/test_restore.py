"""A backup is only as good as its restore: take one, keep writing, restore to a moment.

The suite's shared cluster cannot be restarted (archive_mode needs it), so this test runs
its own throwaway cluster with WAL archiving on (scripts/localdb.sh with LOCALDB_DIR and
DB_PORT), backs it up with scripts/backup.sh, and restores with scripts/restore.sh into
another data directory on another port, both under one temporary directory removed at the
end. The writes go through the submission service in a separate process
(tests/backup/writer.py), each with a photo, for real.
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT, need

pytestmark = pytest.mark.slow

WRITER = ROOT / "tests" / "backup" / "writer.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """The throwaway cluster, its photos and its backups, and the commands run against them."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.restore_port = free_port()
        self.timings = []
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DATABASE_REPLICA_URLS", "PYTEST_CURRENT_TEST"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="mapping.settings.development",
            LOCALDB_DIR=str(base / "primary"),
            DB_PORT=str(self.port),
            DB_NAME="mapping",
            MEDIA_ROOT=str(base / "media"),
            BACKUP_DIR=str(base / "backups"),
            BACKUP_PASSPHRASE="a passphrase for the test repository",
            RESTORE_DIR=str(base / "restored"),
            RESTORE_PORT=str(self.restore_port),
            CACHE_KEY_PREFIX=f"backup-test-{os.getpid()}",
            RATE_LIMITS_ENABLED="false",
            DEBUG="false",
        )

    def run(self, *args, check=True, **env):
        started = time.monotonic()
        result = subprocess.run(
            [str(a) for a in args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.timings.append(
            (" ".join(Path(str(a)).name for a in args[:3]), time.monotonic() - started)
        )
        if check:
            assert result.returncode == 0, (
                f"{' '.join(map(str, args))}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def manage(self, *args, check=True, **env):
        return self.run(sys.executable, "manage.py", *args, check=check, **env)

    def write(self, seconds, out):
        return self.run(sys.executable, WRITER, "write", seconds, out)

    def restored(self, sql, params=()):
        with psycopg.connect(
            host="127.0.0.1", port=self.restore_port, user="mapping", dbname="mapping"
        ) as connection:
            return connection.execute(sql, params).fetchall()

    def stop(self):
        for data in (self.base / "primary" / "data", self.base / "restored" / "data"):
            if (data / "PG_VERSION").exists():
                pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
                command = [str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"]
                if os.geteuid() == 0:
                    command = ["runuser", "-u", "postgres", "--", *command]
                subprocess.run(command, capture_output=True, check=False)


@pytest.fixture(scope="module")
def site(local_cluster):
    need(shutil.which("pgbackrest"), "pgBackRest is not installed (apt-get install pgbackrest)")
    # Under /tmp, readable by the postgres user the clusters run as when we are root
    # (pytest's own tmp_path is private to us).
    base = Path(tempfile.mkdtemp(prefix="mapping-backup-test-"))
    base.chmod(0o755)
    site = Site(base)
    try:
        site.run(local_cluster, "start")
        site.run(ROOT / "scripts" / "backup.sh", "setup", BACKUP_RESTART="1")
        site.run(sys.executable, WRITER, "setup")
        yield site
    finally:
        # How long each step took (shown with -s, or with a failure's captured output).
        sys.stderr.write("".join(f"{t:6.1f} s  {what}\n" for what, t in site.timings))
        site.stop()
        shutil.rmtree(base, ignore_errors=True)


def read_lines(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_restore_to_a_moment_has_every_acknowledged_contribution_and_photo_and_none_after(
    site,
):
    site.run(ROOT / "scripts" / "backup.sh", "run", "full")
    # Write for six seconds; note a moment in the middle, while the writer keeps going.
    written = site.base / "written.jsonl"
    writer = threading.Thread(target=site.write, args=(6, written))
    writer.start()
    while not written.exists() or len(read_lines(written)) < 20:
        time.sleep(0.1)
    time.sleep(1)
    moment = time.time()
    writer.join()
    lines = read_lines(written)
    before = [line for line in lines if line["acknowledged"] < moment]
    after = [line for line in lines if line["started"] > moment]
    assert len(before) >= 20 and len(after) >= 20, (len(before), len(after))

    # The photos are copied by the scheduled media sync; the WAL by the server itself
    # (pgbackrest check switches to a new segment and waits until it is archived).
    site.run(ROOT / "scripts" / "backup.sh", "media")
    site.run(ROOT / "scripts" / "backup.sh", "exec", "check")

    target = datetime.fromtimestamp(moment, UTC).isoformat(sep=" ")
    restore = site.run(ROOT / "scripts" / "restore.sh", target)
    assert "ok   files" in restore.stdout and "ok   postgis" in restore.stdout, restore.stdout

    rows = site.restored(
        "SELECT c.id::text, p.large, p.thumbnail FROM contributions_contribution c "
        "LEFT JOIN contributions_photo p ON p.contribution_id = c.id"
    )
    found = {id_: (large, thumbnail) for id_, large, thumbnail in rows}
    media = site.base / "restored" / "media"
    for line in before:
        assert line["id"] in found, f"acknowledged before the moment, lost: {line}"
        large, thumbnail = found[line["id"]]
        assert sha256(media / large) == line["large"]
        assert sha256(media / thumbnail) == line["thumbnail"]
    for line in after:
        assert line["id"] not in found, f"started after the moment, restored: {line}"
    # Every file belongs to a row, every photo row has its files: nothing more on disk.
    on_disk = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    named = {name for pair in found.values() for name in pair if name}
    assert on_disk == named
    # A submission in flight at the moment (at most one: the writer is one process) is
    # either whole or absent, never a row without its photo.
    assert all(found[id_][0] for id_ in found if id_ in {line["id"] for line in lines})

    # The check sees damage: a photo changed, a stray file.
    damaged = media / next(iter(named))
    damaged.write_bytes(b"not the photo")
    (media / "stray.jpg").write_bytes(b"x")
    check = site.manage(
        "check_restore",
        check=False,
        DATABASE_URL=f"postgis://mapping@127.0.0.1:{site.restore_port}/mapping",
        DB_PORT=str(site.restore_port),
        MEDIA_ROOT=str(media),
    )
    assert check.returncode != 0
    assert "differs" in check.stdout or "no version" in check.stdout, check.stdout
    assert "stray.jpg: no row names this file" in check.stdout


def test_a_restore_to_a_backup_label_matches_its_manifest_row_for_row(site):
    site.write(2, site.base / "more.jsonl")
    # A differential backup after the writes (a full one when it is the first): its manifest
    # counts them, exactly.
    site.run(ROOT / "scripts" / "backup.sh", "run", "diff")
    manifests = (site.base / "backups" / "manifests").glob("*.json")
    manifest = json.loads(max(manifests, key=lambda p: p.stat().st_mtime).read_text())
    assert manifest["tables"]["contributions_photo"] > 0
    assert len(manifest["files"]) == 2 * manifest["tables"]["contributions_photo"]
    assert all(manifest["files"].values()), "every file has its sha256"
    # Writes after the manifest are not in a restore to its label.
    site.write(1, site.base / "later.jsonl")
    site.run(ROOT / "scripts" / "backup.sh", "media")
    restore = site.run(ROOT / "scripts" / "restore.sh", manifest["label"])
    assert "ok   rows" in restore.stdout and "as the manifest counted" in restore.stdout
    (count,) = site.restored("SELECT count(*) FROM contributions_contribution")[0]
    assert count == manifest["tables"]["contributions_contribution"]
