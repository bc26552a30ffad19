"""Backup and restore at scale: how long each takes (the RTO), how much WAL submissions write.

    .venv/bin/python bench/backup.py [--sizes 100000,1000000] [--submissions 1000] [--json]

It never touches the shared development cluster: a throwaway cluster with WAL archiving on
(scripts/localdb.sh, LOCALDB_DIR=bench/out/backup/primary, port 54371) gets the demo, then
contributions from generate_contributions up to each size in turn. At each size:

- backup: `scripts/backup.sh run full` (pgBackRest, zstd level 3, aes-256-cbc, 2 processes),
  then its manifest and the media copy; the pgBackRest part and the rest are timed apart;
- restore: `scripts/restore.sh latest` into bench/out/backup/restored (port 54372): the files
  from the repository, the WAL replay up to the end of the archive, the photos, and
  check_restore; the total is the time to a checked, running copy (RTO on this machine);
- WAL: N submissions through the submission service, each with a small photo, in one process
  (as the site writes them, one transaction each): bytes of WAL between the two LSNs, and
  bytes the archive grew by (compressed, encrypted; whole 16 MB segments, the last one
  closed early), per 1,000 submissions; twice: right after the backup's checkpoint (every
  page touched is logged whole once) and again (the steady state);
- archive latency: from a WAL switch to the segment being in the repository
  (pg_stat_archiver), what a quiet database adds to archive_timeout in its RPO;
- from the second size on, first a restore of the previous size's full backup followed by
  the replay of every WAL segment written since (the generation's): the slow case of a
  restore, long after the last backup.

One run per figure; the whole thing takes about 15 minutes at a million on 2 cores.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "backup"
PORT, RESTORE_PORT = 54371, 54372
PY = sys.executable

ENV = {
    **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URLS"}},
    "DJANGO_SETTINGS_MODULE": "mapping.settings.development",
    "LOCALDB_DIR": str(OUT / "primary"),
    "DB_PORT": str(PORT),
    "DB_NAME": "mapping",
    "MEDIA_ROOT": str(OUT / "media"),
    "BACKUP_DIR": str(OUT / "backups"),
    "BACKUP_PASSPHRASE": "bench passphrase, not a secret",
    "RESTORE_DIR": str(OUT / "restored"),
    "RESTORE_PORT": str(RESTORE_PORT),
    "CACHE_KEY_PREFIX": f"bench-backup-{os.getpid()}",
    "RATE_LIMITS_ENABLED": "false",
    "DEBUG": "false",
    "DB_STATEMENT_TIMEOUT_MS": "0",
}


def run(*args, **env):
    started = time.monotonic()
    result = subprocess.run(
        [str(a) for a in args], cwd=ROOT, env={**ENV, **env}, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout, time.monotonic() - started


def sql(query, port=PORT):
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="mapping", autocommit=True
    ) as connection:
        return connection.execute(query).fetchone()


def du(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def pg_ctl_stop(data):
    pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    command = [str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, capture_output=True, check=False)


def fresh_cluster():
    pg_ctl_stop(OUT / "restored" / "data")
    pg_ctl_stop(OUT / "primary" / "data")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    run(ROOT / "scripts" / "localdb.sh", "start")
    run(ROOT / "scripts" / "backup.sh", "setup", BACKUP_RESTART="1")
    run(PY, ROOT / "tests" / "backup" / "writer.py", "setup")


def contributions():
    return sql("SELECT count(*) FROM contributions_contribution")[0]


def backup():
    out, total = run(ROOT / "scripts" / "backup.sh", "run", "full")
    database = float(re.search(r"\(full\) in ([\d.]+) s", out).group(1))
    info = json.loads(run(ROOT / "scripts" / "backup.sh", "exec", "info", "--output=json")[0])
    last = info[0]["backup"][-1]
    return {
        "backup_lsn": last["lsn"]["stop"],
        "backup_s": total,
        "backup_database_s": database,
        "database_bytes": last["info"]["size"],
        "backup_repo_bytes": last["info"]["repository"]["delta"],
    }


def restore():
    out, total = run(ROOT / "scripts" / "restore.sh", "latest")
    steps = re.search(
        r"pgBackRest restore ([\d.]+) s, start and WAL replay ([\d.]+) s, photos ([\d.]+) s, "
        r"check ([\d.]+) s",
        out,
    )
    pg_ctl_stop(OUT / "restored" / "data")
    shutil.rmtree(OUT / "restored", ignore_errors=True)
    return {
        "restore_s": total,
        "restore_files_s": float(steps.group(1)),
        "restore_replay_s": float(steps.group(2)),
        "restore_photos_s": float(steps.group(3)),
        "restore_check_s": float(steps.group(4)),
    }


def replayed_bytes(since_lsn):
    (wal,) = sql(f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{since_lsn}')::bigint")
    return wal


def archive_bytes():
    return du(OUT / "backups" / "repo" / "archive")


def wal_per_submissions(count):
    """WAL written by `count` submissions with a photo, and what the archive grew by."""
    run(ROOT / "scripts" / "backup.sh", "exec", "check")  # everything before is archived
    archived_before = archive_bytes()
    (lsn_before,) = sql("SELECT pg_current_wal_lsn()::text")
    _out, seconds = run(PY, __file__, "--submit", count)
    (wal,) = sql(f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{lsn_before}')::bigint")
    run(ROOT / "scripts" / "backup.sh", "exec", "check")
    sync, sync_s = run(ROOT / "scripts" / "backup.sh", "media")
    per_thousand = 1000 / count
    return {
        "submissions": count,
        "submit_s": seconds,
        "wal_bytes_per_1000": wal * per_thousand,
        "archived_bytes_per_1000": (archive_bytes() - archived_before) * per_thousand,
        "media_sync_s": sync_s,
        "media_sync": sync.strip(),
    }


def archive_latency():
    """From a WAL switch to the segment in the repository."""
    (segment,) = sql("SELECT pg_walfile_name(pg_switch_wal())")
    started = time.monotonic()
    while sql("SELECT last_archived_wal FROM pg_stat_archiver")[0] != segment:
        if time.monotonic() - started > 120:
            sys.exit("the archive did not take the segment in 2 minutes")
        time.sleep(0.01)
    return time.monotonic() - started


def submit(count):
    """Runs in a child process: `count` submissions through the service."""
    sys.path.insert(0, str(ROOT / "tests" / "backup"))
    import writer  # sets Django up from the environment

    writer.write_count(count)


def replay_cell(row):
    if "replay_s" not in row:
        return "-"
    return (
        f"{row['replay_restore_s']:.1f} (replay of {row['replayed_wal_bytes'] / 1e9:.1f} GB "
        f"of WAL: {row['replay_s']:.1f})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--submit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.submit:
        submit(args.submit)
        return
    sys.path.insert(0, str(BENCH))
    from _setup import machine

    fresh_cluster()
    rows = []
    sizes = [contributions()] + [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        missing = size - contributions()
        generated_s = 0.0
        if missing > 0:
            _out, generated_s = run(
                PY, "manage.py", "generate_contributions", "--project", "piter-alpimed",
                "--count", missing, "--seed", size,
            )  # fmt: skip
        row = {"contributions": contributions(), "generate_s": generated_s}
        if rows:
            # The worst case between two backups: the previous size's full backup, then the
            # replay of all the WAL the generation wrote since.
            replay = restore()
            row["replay_restore_s"] = replay["restore_s"]
            row["replay_s"] = replay["restore_replay_s"]
            row["replayed_wal_bytes"] = replayed_bytes(rows[-1]["backup_lsn"])
        row.update(backup())
        row.update(restore())
        row.update(wal_per_submissions(args.submissions))
        # The same again: the pages the first batch touched after the backup's checkpoint
        # were logged whole once (full-page images); the second batch is the steady state.
        steady = wal_per_submissions(args.submissions)
        row["steady_wal_bytes_per_1000"] = steady["wal_bytes_per_1000"]
        row["steady_archived_bytes_per_1000"] = steady["archived_bytes_per_1000"]
        row["archive_latency_s"] = archive_latency()
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print(f"machine: {machine()}")
    print(
        "| contributions | database (MB) | full backup: pgBackRest (s) | + manifest, media (s) "
        "| backup in repo (MB) | restore to a checked copy (s) "
        "| of which files, start + WAL replay, photos, check (s) "
        "| WAL per 1,000 submissions, after a checkpoint / steady (MB) "
        "| archived per 1,000, after a checkpoint / steady (MB) "
        "| archive latency (s) | restore from the previous backup + WAL replay (s) |"
    )
    print("|" + "---|" * 11)
    for r in rows:
        print(
            f"| {r['contributions']:,} | {r['database_bytes'] / 1e6:,.0f} "
            f"| {r['backup_database_s']:.1f} | {r['backup_s'] - r['backup_database_s']:.1f} "
            f"| {r['backup_repo_bytes'] / 1e6:,.0f} | {r['restore_s']:.1f} "
            f"| {r['restore_files_s']:.1f}, {r['restore_replay_s']:.1f}, "
            f"{r['restore_photos_s']:.1f}, {r['restore_check_s']:.1f} "
            f"| {r['wal_bytes_per_1000'] / 1e6:.1f} / {r['steady_wal_bytes_per_1000'] / 1e6:.1f} "
            f"| {r['archived_bytes_per_1000'] / 1e6:.1f} / "
            f"{r['steady_archived_bytes_per_1000'] / 1e6:.1f} "
            f"| {r['archive_latency_s']:.2f} | {replay_cell(r)} |"
        )
    if args.json:
        print(json.dumps({"bench": "backup", "rows": rows}))
    pg_ctl_stop(OUT / "primary" / "data")


if __name__ == "__main__":
    main()
