"""Load and faults: a mixed workload against gunicorn while the database restarts, a worker is
killed and the connection pool runs dry; then every write the clients saw succeed is looked
up in the database.

    .venv/bin/python bench/load_faults.py [--duration 180] [--clients 6] [--workers 4]

On loopback, against gunicorn with several workers, the project-local PostGIS (a dedicated
`mapping_load` database, created and loaded with the demo) and the project-local Redis.
Workload: 70% map reads (clusters and tiles), 15% contribution details, 10% votes and
comments, 5% submissions with a photo. Faults, at set fractions of the run: one worker killed
with SIGKILL (25%), PostgreSQL stopped and started again (45%), every free database
connection held by another process for 8 s (70%).

Writes are retried on connection errors and 5xx: submissions carry an Idempotency-Key, so a
retry whose first attempt did go through gets the first answer again; votes are one per
participant by constraint; comments have no key, so they are retried only when the request
never left (connection refused). The ledger holds every acknowledged write (contribution id
and its unique title, (contribution, participant) for votes, comment id and its unique body);
afterwards each must be in the database exactly once.

Prints a summary table and writes it to bench/LOAD.md. Note: restarting PostgreSQL and
holding its connections affects anything else using the local cluster at that moment.
"""

import argparse
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOAD_DB = "mapping_load"
SLUG = "piter-alpimed"
PORT = int(os.environ.get("LOAD_PORT", "8791"))
DB_PORT = int(os.environ.get("DB_PORT", "54329"))
BASE = f"http://127.0.0.1:{PORT}"
READ_TARGET_MS, WRITE_TARGET_MS = 300, 1000
GRACE_S = 5  # after a fault has cleared, before errors count again


def prepare_database():
    """The load database, migrated, with the demo loaded (created on first use)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapping.settings.development")
    os.environ["DB_NAME"] = LOAD_DB
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")  # migrations and the demo load
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=DB_PORT, user="mapping", dbname="postgres", autocommit=True
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [LOAD_DB]).fetchone():
            admin.execute(f'CREATE DATABASE "{LOAD_DB}"')
    import django

    django.setup()
    from django.core.management import call_command

    from mapping.demo import load_demo

    call_command("ensure_postgis", verbosity=0)
    call_command("migrate", verbosity=0)
    load_demo()


def redis_url():
    subprocess.run([str(ROOT / "scripts" / "localredis.sh"), "start"], check=True)
    return subprocess.run(
        [str(ROOT / "scripts" / "localredis.sh"), "url"], check=True, capture_output=True, text=True
    ).stdout.strip()


class Gunicorn:
    def __init__(self, workers, redis):
        self.workers = workers
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mapping.settings.development",
            "DB_NAME": LOAD_DB,
            "DEBUG": "false",
            "REDIS_URL": redis,
            "CACHE_KEY_PREFIX": f"load-{uuid.uuid4().hex[:8]}",
            "DB_STATEMENT_TIMEOUT_MS": "30000",
            # Every client here is 127.0.0.1: per-address limits would measure the limiter.
            "RATE_LIMITS_ENABLED": "false",
            "MEDIA_ROOT": str(ROOT / "bench" / "out" / "load-media"),
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "mapping.wsgi",
                f"--bind=127.0.0.1:{PORT}",
                f"--workers={self.workers}",
                "--timeout=30",
                "--graceful-timeout=5",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                return self
            except OSError:
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


# ------------------------------------------------------------------- the clients


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (start, route, ms, ok)
        self.ledger = {"contributions": {}, "votes": set(), "comments": {}}
        self.unacknowledged = defaultdict(int)

    def add(self, start, route, ms, ok):
        with self.lock:
            self.samples.append((start, route, ms, ok))


def jpeg():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (random.randrange(256), 90, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


RETRYABLE = (502, 503, 504, 500)


class Client(threading.Thread):
    def __init__(self, number, recorder, stop_at, public_ids, bbox, account):
        super().__init__(daemon=True)
        import requests

        self.requests = requests
        self.random = random.Random(number)
        self.recorder = recorder
        self.stop_at = stop_at
        self.ids = public_ids
        self.bbox = bbox
        self.session = requests.Session()
        # Votes need an account (docs/security.md): each client is a signed-in resident, its
        # session made beforehand; the project page gives it a CSRF token.
        user_id, session_key = account
        self.participant = f"user:{user_id}"
        self.session.cookies.set("sessionid", session_key)
        self.session.get(f"{BASE}/fr/p/{SLUG}/", timeout=30)
        self.session.headers["X-CSRFToken"] = self.session.cookies.get("csrftoken", "")

    def run(self):
        while time.time() < self.stop_at:
            roll = self.random.random()
            try:
                if roll < 0.70:
                    self.map_read()
                elif roll < 0.85:
                    self.detail()
                elif roll < 0.95:
                    self.vote() if self.random.random() < 0.5 else self.comment()
                else:
                    self.submit()
            except Exception as error:  # noqa: BLE001 - a client keeps going, the error counted
                print(f"client error: {error!r}", file=sys.stderr)

    # Reads: one attempt each; an error is an error.
    def _get(self, route, path):
        start = time.time()
        try:
            response = self.session.get(BASE + path, timeout=30)
            ok = response.status_code < 500
        except self.requests.RequestException:
            ok = False
        self.recorder.add(start, route, (time.time() - start) * 1000, ok)

    def map_read(self):
        minx, miny, maxx, maxy = self.bbox
        if self.random.random() < 0.5:
            zoom = self.random.randint(8, 14)
            span = 360 / 2**zoom * 3
            x = self.random.uniform(minx, maxx - span / 2)
            y = self.random.uniform(miny, maxy - span / 3)
            bbox = f"{x:.5f},{y:.5f},{x + span:.5f},{y + span / 1.5:.5f}"
            self._get("clusters", f"/api/projects/{SLUG}/clusters/?bbox={bbox}&zoom={zoom}")
        else:
            import math

            z = self.random.randint(9, 15)
            lon = self.random.uniform(minx, maxx)
            lat = self.random.uniform(miny, maxy)
            n = 2**z
            tx = int((lon + 180) / 360 * n)
            ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
            self._get("tile", f"/tiles/{SLUG}/{z}/{tx}/{ty}.pbf")

    def detail(self):
        pk = self.random.choice(self.ids)
        self._get("detail", f"/api/projects/{SLUG}/contributions/{pk}/")

    # Writes: retried until acknowledged or the deadline; only acknowledged ones are ledgered.
    def _write(self, route, send, *, retry_after_send):
        start = time.time()
        deadline = start + 60
        while True:
            try:
                response = send()
                if response.status_code in RETRYABLE and time.time() < deadline:
                    time.sleep(0.5)
                    continue
                ok = response.status_code < 500
                self.recorder.add(start, route, (time.time() - start) * 1000, ok)
                return response if ok else None
            except self.requests.ConnectionError as error:
                never_sent = "refused" in str(error).lower() or "NewConnectionError" in repr(error)
                if (never_sent or retry_after_send) and time.time() < deadline:
                    time.sleep(0.5)
                    continue
                self.recorder.add(start, route, (time.time() - start) * 1000, False)
                self.recorder.unacknowledged[route] += 1
                return None
            except self.requests.Timeout:
                if retry_after_send and time.time() < deadline:
                    continue
                self.recorder.add(start, route, (time.time() - start) * 1000, False)
                self.recorder.unacknowledged[route] += 1
                return None

    def vote(self):
        pk = self.random.choice(self.ids)
        url = f"{BASE}/api/projects/{SLUG}/contributions/{pk}/vote/"
        response = self._write(
            "vote", lambda: self.session.post(url, timeout=30), retry_after_send=True
        )
        if response is not None and response.status_code in (200, 201):
            with self.recorder.lock:
                self.recorder.ledger["votes"].add((str(pk), self.participant))

    def comment(self):
        pk = self.random.choice(self.ids)
        token = uuid.uuid4().hex
        url = f"{BASE}/api/projects/{SLUG}/contributions/{pk}/comments/"
        response = self._write(
            "comment",
            lambda: self.session.post(url, json={"body": f"Load test {token}"}, timeout=30),
            retry_after_send=False,
        )
        if response is not None and response.status_code == 201:
            with self.recorder.lock:
                self.recorder.ledger["comments"][response.json()["id"]] = token

    def submit(self):
        minx, miny, maxx, maxy = self.bbox
        token = uuid.uuid4().hex[:12]
        # Around Nice, well inside the perimeter.
        lon, lat = 7.26 + self.random.uniform(-0.02, 0.02), 43.72 + self.random.uniform(-0.01, 0.01)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "report", "theme": "infrastructure", "title": f"Load {token}"},
        }
        photo = jpeg()
        key = str(uuid.uuid4())
        url = f"{BASE}/api/projects/{SLUG}/contributions/"

        def send():
            return self.session.post(
                url,
                data={"feature": json.dumps(feature)},
                files={"photos": ("photo.jpg", photo, "image/jpeg")},
                headers={"Idempotency-Key": key},
                timeout=30,
            )

        response = self._write("submit", send, retry_after_send=True)
        if response is not None and response.status_code == 201:
            with self.recorder.lock:
                self.recorder.ledger["contributions"][response.json()["id"]] = f"Load {token}"


# -------------------------------------------------------------------- the faults


class Faults(threading.Thread):
    def __init__(self, server, started, duration):
        super().__init__(daemon=True)
        self.server = server
        self.started = started
        self.duration = duration
        self.windows = []  # (name, start, end)
        self.recovery_s = None
        self.db_down_s = None

    def at(self, fraction):
        delay = self.started + fraction * self.duration - time.time()
        if delay > 0:
            time.sleep(delay)

    def wait_until_healthy(self, timeout=120):
        import requests

        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(f"{BASE}/api/projects/{SLUG}/", timeout=5).status_code == 200:
                    return time.time()
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return None

    def run(self):
        self.at(0.25)
        start = time.time()
        victim = random.choice(self.server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        healthy = self.wait_until_healthy()
        self.windows.append(("worker SIGKILL", start, (healthy or time.time()) + GRACE_S))

        self.at(0.45)
        start = time.time()
        script = str(ROOT / "scripts" / "localdb.sh")
        subprocess.run([script, "stop"], check=True, capture_output=True)
        subprocess.run([script, "start"], check=True, capture_output=True)
        back = time.time()
        healthy = self.wait_until_healthy()
        self.db_down_s = back - start
        self.recovery_s = (healthy - back) if healthy else None
        self.windows.append(("PostgreSQL restart", start, (healthy or time.time()) + GRACE_S))

        self.at(0.70)
        start = time.time()
        held = exhaust_connections()
        time.sleep(8)
        for connection in held:
            connection.close()
        healthy = self.wait_until_healthy()
        self.windows.append(
            (f"pool exhausted ({len(held)} held)", start, (healthy or time.time()) + GRACE_S)
        )


def exhaust_connections(limit=400):
    import psycopg

    held = []
    while len(held) < limit:
        try:
            held.append(
                psycopg.connect(
                    host="127.0.0.1",
                    port=DB_PORT,
                    user="mapping",
                    dbname=LOAD_DB,
                    connect_timeout=3,
                )
            )
        except psycopg.OperationalError:
            break
    return held


# -------------------------------------------------------------------- the ledger


def check_ledger(ledger):
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=DB_PORT, user="mapping", dbname=LOAD_DB) as db:
        result = {}
        titles = list(ledger["contributions"].values())
        rows = db.execute(
            "SELECT title, count(*), count(DISTINCT p.contribution_id) FROM"
            " contributions_contribution c LEFT JOIN contributions_photo p"
            " ON p.contribution_id = c.id WHERE title = ANY(%s) GROUP BY title",
            [titles],
        ).fetchall()
        found = {title: count for title, count, _photos in rows}
        with_photo = sum(1 for _t, _c, photos in rows if photos)
        ids = list(ledger["contributions"])
        by_id = db.execute(
            "SELECT count(*) FROM contributions_contribution WHERE id = ANY(%s::uuid[])", [ids]
        ).fetchone()[0]
        result["contributions"] = (
            len(titles),
            len(titles) - by_id,
            sum(max(0, count - 1) for count in found.values()),
        )
        result["photos missing"] = len(titles) - with_photo
        votes = list(ledger["votes"])
        present = 0
        for contribution, participant in votes:
            present += db.execute(
                "SELECT count(*) FROM contributions_vote WHERE contribution_id = %s"
                " AND participant = %s",
                [contribution, participant],
            ).fetchone()[0]
        result["votes"] = (len(votes), len(votes) - min(present, len(votes)), 0)
        tokens = list(ledger["comments"].values())
        counts = {
            body: count
            for body, count in db.execute(
                "SELECT body, count(*) FROM contributions_comment WHERE body = ANY(%s)"
                " GROUP BY body",
                [[f"Load test {t}" for t in tokens]],
            ).fetchall()
        }
        comment_ids = list(ledger["comments"])
        by_id = db.execute(
            "SELECT count(*) FROM contributions_comment WHERE id = ANY(%s::uuid[])", [comment_ids]
        ).fetchone()[0]
        result["comments"] = (
            len(tokens),
            len(tokens) - by_id,
            sum(max(0, c - 1) for c in counts.values()),
        )
    return result


# -------------------------------------------------------------------- the report


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def summary(recorder, faults, ledger_result, args, elapsed):
    samples = recorder.samples

    def in_window(moment):
        return any(start <= moment <= end for _name, start, end in faults.windows)

    outside = [s for s in samples if not in_window(s[0])]
    errors_outside = sum(1 for s in outside if not s[3])
    rate = 100 * errors_outside / len(outside) if outside else 0.0
    lines = [
        "| measure | value | target |",
        "|---|---|---|",
        f"| requests | {len(samples)} in {elapsed:.0f} s ({len(samples) / elapsed:.0f}/s) | |",
        f"| errors outside fault windows | {errors_outside} of {len(outside)} ({rate:.2f}%)"
        f" | < 0.5% {'✅' if rate < 0.5 else '❌'} |",
        f"| errors inside fault windows | {sum(1 for s in samples if not s[3]) - errors_outside}"
        f" of {len(samples) - len(outside)} | (reported) |",
    ]
    for route in ("clusters", "tile", "detail", "vote", "comment", "submit"):
        times = [s[2] for s in outside if s[1] == route and s[3]]
        if not times:
            continue
        target = READ_TARGET_MS if route in ("clusters", "tile", "detail") else WRITE_TARGET_MS
        value = p95(times)
        lines.append(
            f"| p95 {route} ({len(times)} ok, outside faults) | {value:.0f} ms"
            f" (median {statistics.median(times):.0f}) | < {target} ms"
            f" {'✅' if value < target else '❌'} |"
        )
    recovery = faults.recovery_s
    lines.append(
        f"| PostgreSQL restart: down, then recovery | {faults.db_down_s or 0:.1f} s down,"
        f" first good answer {recovery:.1f} s after it was back"
        f" | < 10 s {'✅' if recovery is not None and recovery < 10 else '❌'} |"
        if recovery is not None
        else "| PostgreSQL restart recovery | never recovered | < 10 s ❌ |"
    )
    for name, start, end in faults.windows:
        lines.append(f"| fault window: {name} | {end - start:.1f} s (incl. {GRACE_S} s grace) | |")
    for kind in ("contributions", "votes", "comments"):
        acknowledged, lost, duplicated = ledger_result[kind]
        ok = lost == 0 and duplicated == 0
        lines.append(
            f"| ledger {kind}: acknowledged / lost / duplicated | {acknowledged} / {lost} /"
            f" {duplicated} | 0 lost, 0 duplicated {'✅' if ok else '❌'} |"
        )
    lines.append(
        f"| acknowledged contributions without their photo | {ledger_result['photos missing']}"
        f" | 0 {'✅' if ledger_result['photos missing'] == 0 else '❌'} |"
    )
    unacked = ", ".join(f"{k} {v}" for k, v in sorted(recorder.unacknowledged.items())) or "none"
    lines.append(f"| writes never acknowledged (client gave up) | {unacked} | (reported) |")
    return "\n".join(lines)


def signed_in_accounts(count):
    """(user id, session key) of `count` residents signed in on the load database."""
    from django.contrib.auth import get_user_model
    from django.test import Client as DjangoClient

    accounts = []
    for n in range(count):
        user, _created = get_user_model().objects.get_or_create(username=f"load-resident-{n}")
        browser = DjangoClient()
        browser.force_login(user)
        accounts.append((user.pk, browser.cookies["sessionid"].value))
    return accounts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=180, help="seconds (default 180)")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/LOAD.md")
    parser.add_argument("--no-faults", action="store_true", help="a smoke run: load only")
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        sys.exit("load_faults: unset DATABASE_URL; this drives the project-local cluster")
    prepare_database()
    redis = redis_url()
    import requests

    with Gunicorn(args.workers, redis) as server:
        project = requests.get(f"{BASE}/api/projects/{SLUG}/", timeout=30).json()
        bbox = project["perimeter"]["bbox"]
        listing = requests.get(
            f"{BASE}/api/projects/{SLUG}/contributions/?limit=500", timeout=60
        ).json()
        public_ids = [f["id"] for f in listing["features"]]
        recorder = Recorder()
        started = time.time()
        stop_at = started + args.duration
        faults = Faults(server, started, args.duration)
        accounts = signed_in_accounts(args.clients)
        clients = [
            Client(n, recorder, stop_at, public_ids, bbox, accounts[n]) for n in range(args.clients)
        ]
        if not args.no_faults:
            faults.start()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        if not args.no_faults:
            faults.join(timeout=120)
        elapsed = time.time() - started
    ledger_result = check_ledger(recorder.ledger)
    table = summary(recorder, faults, ledger_result, args, elapsed)
    print(table)
    if not args.no_write:
        from bench._setup import machine

        command = (
            f".venv/bin/python bench/load_faults.py --duration {args.duration}"
            f" --clients {args.clients} --workers {args.workers}"
        )
        (ROOT / "bench" / "LOAD.md").write_text(
            "# Load and faults\n\n"
            f"`{command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()};"
            f" gunicorn with {args.workers} sync workers, {args.clients} client threads on"
            " loopback, the project-local PostGIS and Redis (rate limits off: every client is"
            " 127.0.0.1). Faults: a worker killed with SIGKILL at 25% of the run, PostgreSQL"
            " stopped and started at 45%, every free connection held for 8 s at 70%. Error"
            " rates and p95 exclude the fault windows (each from the fault until the API"
            f" answers again, plus {GRACE_S} s).\n\n{table}\n"
        )


if __name__ == "__main__":
    main()
