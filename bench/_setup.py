"""Shared set-up for benchmarks: Django on a dedicated database, created on first use."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BOUNDARIES = ROOT.parent / "shared" / "data" / "boundaries"
# The suite (bench/run.py) gives each data size its own database.
BENCH_DB = os.environ.get("BENCH_DB", "mapping_bench")


def django_on_bench_database():
    """Points Django at the bench database (never the demo one), migrated."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapping.settings.development")
    os.environ["DB_NAME"] = BENCH_DB
    os.environ["DEBUG"] = "false"  # measure what production runs, without query logging
    # Migrations may backfill a million rows; no request-sized statement timeout here.
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")
    if os.environ.get("DATABASE_URL"):
        sys.exit("bench: unset DATABASE_URL; benchmarks run on the project-local cluster")
    import django
    import psycopg

    port = int(os.environ.get("DB_PORT", "54329"))
    with psycopg.connect(
        host="127.0.0.1", port=port, user="mapping", dbname="postgres", autocommit=True
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if exists.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    django.setup()
    from django.core.management import call_command

    call_command("ensure_postgis", verbosity=0)
    call_command("migrate", verbosity=0)


def machine():
    import platform

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


class Server:
    """gunicorn serving the application on the bench database, for measures through HTTP."""

    def __init__(self, port=8765, workers=2, extra_env=None):
        self.port = port
        self.workers = workers
        self.extra_env = extra_env or {}
        self.process = None

    def __enter__(self):
        import socket
        import subprocess
        import time

        env = {
            **os.environ,
            "DB_NAME": BENCH_DB,
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "mapping.settings.development",
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "mapping.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def emit(args, figures):
    """With --json: one machine-readable line for bench/run.py, after the tables."""
    if getattr(args, "json", False):
        import json

        print("BENCH_JSON " + json.dumps(figures))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
