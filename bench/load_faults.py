"""Load and faults: simulated residents and moderators use every write the product offers,
against gunicorn with the rate limits on, while a worker is killed, PostgreSQL restarts and
the connection pool runs dry; then every write the clients saw acknowledged is looked up in
the database, and the run fails unless each kind of write was acknowledged often enough.

    .venv/bin/python bench/load_faults.py [--duration 120] [--clients 6] [--workers 4]

The run has a PostgreSQL cluster of its own (scripts/localdb.sh with LOCALDB_DIR and
DB_PORT: its own data directory under --workdir, its own port), so restarting it disturbs
no one else; it is created and loaded with the PITER ALPIMED demo on first use (--fresh
starts from nothing), and stopped at the end. The project there takes votes from confirmed
addresses (vote_identity account_or_email, a setting the product offers), so anonymous
residents vote through the emailed link. gunicorn runs with Django's file email backend
(EMAIL_URL=filemail://...), and the residents read their links from those files.

Residents (bench/load_clients.py): each its own session and loopback address (127.0.0.2
and up), a few actions each: map reads, contributions (points, lines, areas, with and
without a photo), votes and follows confirmed through the emailed link, comments, abuse
reports. Staff: signed-in moderators who publish the waiting comments and answer
contributions. Faults, at set fractions of the run: a worker killed with SIGKILL (25%),
PostgreSQL stopped and started again (45%), every free connection held by another process
(70%, for 8 s or less in a short run).

"ok" is the route's documented status (bench/load_ledger.py); a 429 is counted apart. The
run exits non-zero when a target is missed: each ledger needs at least its floor of
acknowledged writes (100 per 120 s of run), 0 lost, 0 duplicated; errors outside the fault
windows under 0.5%; 429 under 1% of requests; recovery after the restart under 10 s.
Prints the table and, unless --no-write, writes it to bench/LOAD.md.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load_ledger as ledger  # noqa: E402
from bench.load_clients import SLUG, Leave, Mailbox, Resident, Staff, browser  # noqa: E402

LOAD_DB = "mapping_load"
LOCALDB = ROOT / "scripts" / "localdb.sh"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


class Cluster:
    """The run's own PostgreSQL (scripts/localdb.sh on a data directory and port of its own)."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
            "LOCALDB_DIR": str(folder),
            "DB_PORT": str(port),
            "DB_NAME": LOAD_DB,
        }

    def run(self, action):
        subprocess.run([str(LOCALDB), action], check=True, capture_output=True, env=self.env)

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.folder.chmod(0o755)  # the postgres user the cluster runs as must reach it
        self.run("start")

    def stop(self):
        self.run("stop")

    def connect(self, **kwargs):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="mapping", dbname=LOAD_DB, **kwargs
        )


def prepare(cluster, staff_count, demo_count):
    """Migrates and loads the demo on the run's database; the staff's session keys."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mapping.settings.development",
        DB_PORT=str(cluster.port),
        DB_NAME=LOAD_DB,
        DEBUG="false",
        DB_STATEMENT_TIMEOUT_MS="0",  # migrations and the demo load
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client as DjangoClient

    from contributions.models import Project, VoteIdentity
    from mapping.demo import load_demo
    from staff.models import ProjectRole, Role

    call_command("migrate", verbosity=0)
    project = load_demo(count=demo_count)
    Project.objects.filter(pk=project.pk).update(vote_identity=VoteIdentity.ACCOUNT_OR_EMAIL)
    sessions = []
    for n in range(staff_count):
        user, _created = get_user_model().objects.get_or_create(
            username=f"load-moderator-{n}",
            defaults={"email": f"load-moderator-{n}@example.org", "is_staff": True},
        )
        ProjectRole.objects.get_or_create(
            project=project, user=user, defaults={"role": Role.MODERATOR}
        )
        signed_in = DjangoClient()
        signed_in.force_login(user)
        sessions.append(signed_in.cookies["sessionid"].value)
    connections.close_all()
    return sessions


def redis_url():
    script = str(ROOT / "scripts" / "localredis.sh")
    subprocess.run([script, "start"], check=True, capture_output=True)
    return subprocess.run(
        [script, "url"], check=True, capture_output=True, text=True
    ).stdout.strip()


class Gunicorn:
    def __init__(self, *, port, workers, cluster, redis, mail, media):
        self.port = port
        self.workers = workers
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
            "DJANGO_SETTINGS_MODULE": "mapping.settings.development",
            "DB_PORT": str(cluster.port),
            "DB_NAME": LOAD_DB,
            "DEBUG": "false",
            "REDIS_URL": redis,
            "CACHE_KEY_PREFIX": f"load-{uuid.uuid4().hex[:8]}",
            "DB_STATEMENT_TIMEOUT_MS": "30000",
            # As in production: each resident has its own address (bench/load_clients.py).
            "RATE_LIMITS_ENABLED": "true",
            "EMAIL_URL": f"filemail:///{mail}",  # an absolute path: four slashes in all
            "SITE_URL": f"http://127.0.0.1:{port}",
            "MEDIA_ROOT": str(media),
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "mapping.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--timeout=30",
                "--graceful-timeout=5",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self):
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in found.split()]

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class Faults(threading.Thread):
    def __init__(self, run, server, cluster):
        super().__init__(daemon=True)
        self.run_ = run
        self.server = server
        self.cluster = cluster
        self.windows = []  # (name, start, end)
        self.recovery_s = None
        self.db_down_s = None
        self.health = browser("127.254.0.1")

    def at(self, fraction):
        delay = self.run_.started + fraction * self.run_.duration - time.time()
        if delay > 0:
            time.sleep(delay)

    def wait_until_healthy(self, timeout=120):
        import requests

        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                answer = self.health.get(f"{self.run_.base}/api/projects/{SLUG}/", timeout=5)
                if answer.status_code == 200:
                    return time.time()
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return None

    def run(self):
        grace = self.run_.grace
        self.at(0.25)
        start = time.time()
        os.kill(random.choice(self.server.worker_pids()), signal.SIGKILL)
        healthy = self.wait_until_healthy()
        self.windows.append(("worker SIGKILL", start, (healthy or time.time()) + grace))

        self.at(0.45)
        start = time.time()
        self.cluster.stop()
        self.cluster.start()
        back = time.time()
        healthy = self.wait_until_healthy()
        self.db_down_s = back - start
        self.recovery_s = (healthy - back) if healthy else None
        self.windows.append(("PostgreSQL restart", start, (healthy or time.time()) + grace))

        self.at(0.70)
        start = time.time()
        held = self.exhaust_connections()
        time.sleep(min(8, 0.15 * self.run_.duration))
        for connection in held:
            connection.close()
        healthy = self.wait_until_healthy()
        self.windows.append(
            (f"pool exhausted ({len(held)} held)", start, (healthy or time.time()) + grace)
        )

    def exhaust_connections(self, limit=400):
        import psycopg

        held = []
        while len(held) < limit:
            try:
                held.append(self.cluster.connect(connect_timeout=3))
            except psycopg.OperationalError:
                break
        return held


class Run:
    """What the people share: where to go, what to act on, the stop time, the recorder."""

    def __init__(self, *, base, duration, mailbox, public_ids, bbox):
        self.base = base
        self.duration = duration
        self.grace = min(5.0, duration / 24)  # after a fault clears, before errors count
        self.mailbox = mailbox
        self.public_ids = public_ids
        self.bbox = bbox
        self.recorder = ledger.Recorder()
        self.new_contributions = []  # acknowledged, for the answering moderator
        self.to_moderate = []  # anonymous comments waiting, for the publishing moderator
        self.answered = set()
        self.started = time.time()
        self.stop_at = self.started + duration
        self._next = 0
        self._variant = -1
        self._lock = threading.Lock()

    def next_variant(self):
        with self._lock:
            self._variant += 1
            shape = ("point", "line", "area")[self._variant % 3]
            return shape, (self._variant // 3) % 2 == 0

    def next_resident(self):
        with self._lock:
            self._next += 1
            self.recorder.residents = self._next
            return self._next - 1


def resident_loop(run):
    while time.time() < run.stop_at:
        number = run.next_resident()
        resident = Resident(run, number)
        try:
            resident.live(actions=resident.random.randint(6, 14))
        except Leave:
            pass
        except Exception as error:  # noqa: BLE001 - a client keeps going, the error counted
            print(f"resident {number}: {error!r}", file=sys.stderr)


def staff_loop(run, number, session_key, duty):
    while time.time() < run.stop_at:
        try:
            Staff(run, number, session_key, duty).live()
        except Leave:
            return
        except Exception as error:  # noqa: BLE001
            print(f"staff {number}: {error!r}", file=sys.stderr)
            time.sleep(0.5)


def limiter_probe(base, contribution_id):
    """Statuses of six vote links asked in a row for one address (see LIMITER_EXPECTED)."""
    session = browser("127.254.0.3")
    session.get(f"{base}/fr/p/{SLUG}/", timeout=30)
    address = f"limiter-{uuid.uuid4().hex[:8]}@example.org"
    statuses = []
    for _ in range(6):
        answer = session.post(
            f"{base}/api/projects/{SLUG}/contributions/{contribution_id}/vote/",
            json={"email": address},
            headers={"X-CSRFToken": session.cookies.get("csrftoken", "")},
            timeout=30,
        )
        statuses.append(answer.status_code)
    return statuses


# ----------------------------------------------------------------------- the report


def outcome_of(run, faults, kinds, photos_missing, elapsed, floor, with_faults):
    counts, errors_outside, errors_inside = ledger.tally(run.recorder.samples, faults.windows)
    return ledger.Outcome(
        duration_s=elapsed,
        floor=floor,
        kinds=kinds,
        variants=dict(run.recorder.variants),
        photos_missing=photos_missing,
        requests=len(run.recorder.samples),
        outside=counts["outside"],
        errors_outside=errors_outside,
        inside=counts["inside"],
        errors_inside=errors_inside,
        rate_limited=counts["rate_limited"],
        recovery_s=faults.recovery_s,
        faults_expected=with_faults,
    )


def by_status(counter):
    return ", ".join(f"{label} × {n}" for label, n in counter.most_common()) or "none"


def mark(ok):
    return "✅" if ok else "❌"


def table(run, faults, outcome, elapsed):
    samples = run.recorder.samples
    out = outcome
    lines = [
        "| measure | value | target |",
        "|---|---|---|",
        f"| requests | {out.requests} in {elapsed:.0f} s ({out.requests / elapsed:.0f}/s),"
        f" {run.recorder.residents} residents | |",
        f"| errors outside fault windows | {sum(out.errors_outside.values())} of {out.outside}"
        f" ({out.error_rate:.2f}%): {by_status(out.errors_outside)}"
        f" | < {ledger.ERROR_RATE_TARGET}% {mark(out.error_rate < ledger.ERROR_RATE_TARGET)} |",
        f"| errors inside fault windows | {sum(out.errors_inside.values())} of {out.inside}:"
        f" {by_status(out.errors_inside)} | (reported) |",
        f"| 429 (rate limited; clients wait for Retry-After) | {out.rate_limited} of"
        f" {out.requests} ({out.rate_limited_share:.2f}%) | < {ledger.RATE_LIMITED_TARGET}%"
        f" {mark(out.rate_limited_share < ledger.RATE_LIMITED_TARGET)} |",
    ]
    lines.append(
        f"| rate limits on: six vote links asked for one address | {out.limiter}"
        f" | {ledger.LIMITER_EXPECTED} {mark(out.limits_on)} |"
    )
    times = ledger.latencies(samples, faults.windows)
    for route in ledger.EXPECTED:
        if not times.get(route):
            continue
        value = ledger_p95(times[route])
        if route in ledger.READ_ROUTES:
            target = f"< {ledger.READ_TARGET_MS} ms {mark(value < ledger.READ_TARGET_MS)}"
        elif route in ledger.WRITE_ROUTES:
            target = f"< {ledger.WRITE_TARGET_MS} ms {mark(value < ledger.WRITE_TARGET_MS)}"
        else:
            target = "(reported)"
        lines.append(
            f"| p95 {route} ({len(times[route])} ok, outside faults) | {value:.0f} ms"
            f" (median {statistics.median(times[route]):.0f}) | {target} |"
        )
    if faults.db_down_s is not None:
        recovery = out.recovery_s
        lines.append(
            f"| PostgreSQL restart: down, then recovery | {faults.db_down_s:.1f} s down, first"
            f" good answer {recovery:.1f} s after it was back"
            f" | < {ledger.RECOVERY_TARGET_S:.0f} s {mark(recovery < ledger.RECOVERY_TARGET_S)} |"
            if recovery is not None
            else "| PostgreSQL restart recovery | never recovered | < 10 s ❌ |"
        )
    for name, start, end in faults.windows:
        lines.append(
            f"| fault window: {name} | {end - start:.1f} s (incl. {run.grace:.1f} s grace) | |"
        )
    for kind in ledger.KINDS:
        result = out.kinds[kind]
        lines.append(
            f"| ledger {kind}: acknowledged / lost / duplicated | {result.acknowledged} /"
            f" {result.lost} / {result.duplicated} | ≥ {out.floor}, 0, 0"
            f" {mark(result.passes(out.floor))} |"
        )
    variants = ", ".join(f"{v} {out.variants.get(v, 0)}" for v in ledger.contribution_variants())
    variants_ok = all(
        out.variants.get(v, 0) >= out.variant_floor for v in ledger.contribution_variants()
    )
    lines.append(
        f"| contributions by shape and photo | {variants} | each ≥ {out.variant_floor}"
        f" {mark(variants_ok)} |"
    )
    lines.append(
        f"| acknowledged contributions without their photo | {out.photos_missing}"
        f" | 0 {mark(out.photos_missing == 0)} |"
    )
    gave_up = ", ".join(f"{k} {v}" for k, v in sorted(run.recorder.gave_up.items())) or "none"
    lines.append(f"| writes never acknowledged (client gave up) | {gave_up} | (reported) |")
    return "\n".join(lines)


def ledger_p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# ------------------------------------------------------------------------- the run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds (default 120)")
    parser.add_argument("--clients", type=int, default=6, help="residents at a time")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--staff", type=int, default=2, help="moderators (half answer)")
    parser.add_argument(
        "--floor",
        type=int,
        default=ledger.FLOOR_PER_120S,
        help="acknowledged writes of each kind needed per 120 s (default 100)",
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "load")
    parser.add_argument("--db-port", type=int, default=54339, help="the run's own cluster")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8791")))
    parser.add_argument("--demo-count", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="a new cluster, loaded anew")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/LOAD.md")
    parser.add_argument("--no-faults", action="store_true", help="a smoke run: load only")
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args(argv)
    if os.environ.get("DATABASE_URL"):
        sys.exit("load_faults: unset DATABASE_URL; this runs its own PostgreSQL cluster")

    workdir = args.workdir.resolve()
    if args.fresh:
        shutil.rmtree(workdir / "cluster", ignore_errors=True)
    for name in ("mail", "media"):
        shutil.rmtree(workdir / name, ignore_errors=True)
        (workdir / name).mkdir(parents=True)
    workdir.chmod(0o755)
    cluster = Cluster(workdir / "cluster", args.db_port)
    cluster.start()
    try:
        return measure(args, cluster, workdir)
    finally:
        cluster.stop()


def measure(args, cluster, workdir):
    setup_started = time.time()
    sessions = prepare(cluster, max(2, args.staff), args.demo_count)
    redis = redis_url()
    base = f"http://127.0.0.1:{args.port}"
    loads = [load_average()]
    with Gunicorn(
        port=args.port,
        workers=args.workers,
        cluster=cluster,
        redis=redis,
        mail=workdir / "mail",
        media=workdir / "media",
    ) as server:
        reader = browser("127.254.0.2")
        project = reader.get(f"{base}/api/projects/{SLUG}/", timeout=60).json()
        listing = reader.get(
            f"{base}/api/projects/{SLUG}/contributions/?limit=500", timeout=60
        ).json()
        print(f"set-up: {time.time() - setup_started:.1f} s", file=sys.stderr)
        run = Run(
            base=base,
            duration=args.duration,
            mailbox=Mailbox(workdir / "mail"),
            public_ids=[f["id"] for f in listing["features"]],
            bbox=project["perimeter"]["bbox"],
        )
        faults = Faults(run, server, cluster)
        threads = [
            threading.Thread(target=resident_loop, args=(run,), daemon=True)
            for _ in range(args.clients)
        ]
        duties = ["moderate", "answer"]
        threads += [
            threading.Thread(target=staff_loop, args=(run, n, key, duties[n % 2]), daemon=True)
            for n, key in enumerate(sessions)
        ]
        if not args.no_faults:
            faults.start()
        for thread in threads:
            thread.start()
        next_load = time.time() + 10
        while any(thread.is_alive() for thread in threads) and time.time() < run.stop_at + 90:
            time.sleep(1)
            if time.time() >= next_load:
                loads.append(load_average())
                next_load += 10
        if not args.no_faults:
            faults.join(timeout=120)
        elapsed = time.time() - run.started
        limiter = limiter_probe(base, run.public_ids[0])
    loads.append(load_average())

    from contributions.participants import email_participant

    with cluster.connect() as db:
        kinds, photos_missing = ledger.check_ledger(db, run.recorder.ledger, email_participant)
    floor = ledger.floor_for(args.duration, args.floor)
    outcome = outcome_of(run, faults, kinds, photos_missing, elapsed, floor, not args.no_faults)
    outcome.limiter = limiter
    text = table(run, faults, outcome, elapsed)
    missed = ledger.failures(outcome)
    load_note = (
        f"1-minute load average {loads[0]:.1f} just before the run (a shared machine); during"
        f" it, mean {statistics.mean(loads[1:]):.1f} and max {max(loads[1:]):.1f}, the run's"
        " own server, database and clients included"
    )
    verdict = "PASS" if not missed else "FAIL: " + "; ".join(missed)
    print(text)
    print(load_note)
    print(verdict)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "missed": missed,
                    "floor": floor,
                    "kinds": {k: vars(v) for k, v in kinds.items()},
                    "error_rate": outcome.error_rate,
                    "rate_limited_share": outcome.rate_limited_share,
                    "recovery_s": outcome.recovery_s,
                    "loads": loads,
                    "windows": [
                        (n, a - run.started, b - run.started) for n, a, b in faults.windows
                    ],
                    "errors_outside": [
                        (round(x.start - run.started, 2), x.route, x.label, round(x.ms))
                        for x in run.recorder.samples
                        if not x.ok and x.status != 429 and not ledger.in_window(x, faults.windows)
                    ][:100],
                }
            )
        )
    if not args.no_write:
        from bench._setup import machine

        command = (
            f".venv/bin/python bench/load_faults.py --duration {args.duration}"
            f" --clients {args.clients} --workers {args.workers}"
        )
        (ROOT / "bench" / "LOAD.md").write_text(
            "# Load and faults\n\n"
            f"`{command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()};"
            f" {load_note}.\n\n"
            f"gunicorn with {args.workers} sync workers, on a PostgreSQL cluster of the run's own"
            " (its data directory and port: the restart disturbs nothing else) and the"
            " project-local Redis, rate limits on as in production. Residents, "
            f"{args.clients} at a time and {run.recorder.residents} in all, each with its own"
            " session and loopback address (127.0.0.2 and up) and a handful of actions: map"
            " reads, contributions (points, lines, areas, with and without a photo), votes and"
            " follows confirmed through the emailed link (read from the files of Django's file"
            " email backend), comments, abuse reports; "
            f"{len(sessions)} signed-in moderators publish the waiting comments and answer"
            " contributions. (Questionnaires do not exist yet, so there are no answers to"
            " them.) Faults: a worker killed with SIGKILL at 25% of the run, PostgreSQL stopped"
            " and started at 45%, every free connection held for 8 s at 70%. Error rates and"
            " p95 exclude the fault windows (each from the fault until the API answers again,"
            f" plus {run.grace:.0f} s; a request in flight at any moment of it is inside)."
            ' "ok" is the route\'s documented status (bench/load_ledger.py); any other answer'
            ' is an error, shown by status ("no email": a link acknowledged but never mailed);'
            " 429s are counted apart. The ledgers need a floor of acknowledged writes,"
            f" {args.floor} per 120 s of run, and the run exits non-zero when any target is"
            f" missed.\n\n{text}\n\nVerdict: {verdict}\n"
        )
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
