"""generate_contributions at scale, on a fresh bench database (dropped and re-created).

.venv/bin/python bench/generate.py [--count 1000000]
"""

import argparse
import os
import subprocess
import sys
import time

from _setup import BENCH_DB, ROOT, machine


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    port = os.environ.get("DB_PORT", "54329")
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=port, user="mapping", dbname="postgres", autocommit=True
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    env = {**os.environ, "DB_NAME": BENCH_DB, "DEBUG": "false"}
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import django_on_bench_database

    django_on_bench_database()  # creates and migrates it
    from mapping.demo import load_demo

    load_demo()
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "generate_contributions",
            "--project",
            "piter-alpimed",
            "--count",
            str(args.count),
            "--seed",
            "7",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    elapsed = time.monotonic() - started
    print(f"machine: {machine()}")
    print(f"| {args.count:,} | {elapsed:.1f} | {args.count / elapsed:,.0f} |")
    from _setup import emit

    emit(args, {"rows": args.count, "seconds": elapsed, "rows_per_s": args.count / elapsed})


if __name__ == "__main__":
    main()
