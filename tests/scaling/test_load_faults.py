"""The load-and-fault run (bench/load_faults.py) proves something, and every write survives it.

The verdict first, with no server: a run whose ledgers acknowledged nothing, or whose writes
were all refused, fails; "ok" is the route's documented status, never "below 500".

Then a short run of the real thing (about 20 s, the same faults compressed): residents with
their own sessions and loopback addresses, rate limits on, every write the product offers
(contributions of each shape with and without a photo, votes and follows confirmed through
the emailed link, comments, reports, moderation, answers) while a gunicorn worker is killed,
PostgreSQL restarts and its connections run out. The run has its own PostgreSQL cluster
(its own data directory and port, under a temporary directory), so the restart disturbs
neither the suite's shared cluster nor any other test.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from bench import load_ledger as ledger
from tests.conftest import ROOT, need


def passing_outcome(**changes):
    fields = {
        "duration_s": 120,
        "floor": ledger.floor_for(120),
        "kinds": {kind: ledger.KindResult(150, 0, 0) for kind in ledger.KINDS},
        "variants": {variant: 30 for variant in ledger.contribution_variants()},
        "requests": 10_000,
        "outside": 9_000,
        "inside": 1_000,
        "recovery_s": 0.5,
        "limiter": ledger.LIMITER_EXPECTED,
    }
    fields.update(changes)
    return ledger.Outcome(**fields)


def test_a_run_meeting_every_target_passes():
    assert ledger.failures(passing_outcome()) == []


def test_a_ledger_with_nothing_acknowledged_fails_the_run():
    kinds = {kind: ledger.KindResult(150, 0, 0) for kind in ledger.KINDS}
    kinds["votes"] = ledger.KindResult(0, 0, 0)  # nothing written: nothing lost either
    missed = ledger.failures(passing_outcome(kinds=kinds))
    assert missed == ["votes: 0 acknowledged, below the floor of 100"]
    assert not ledger.KindResult(0, 0, 0).passes(100)

    nothing = {kind: ledger.KindResult(0, 0, 0) for kind in ledger.KINDS}
    missed = ledger.failures(passing_outcome(kinds=nothing, variants={}))
    for kind in ledger.KINDS:
        assert f"{kind}: 0 acknowledged, below the floor of 100" in missed


def test_a_kind_missing_from_the_results_counts_as_nothing_acknowledged():
    kinds = {kind: ledger.KindResult(150, 0, 0) for kind in ledger.KINDS if kind != "answers"}
    assert ledger.failures(passing_outcome(kinds=kinds)) == [
        "answers: 0 acknowledged, below the floor of 100"
    ]


def test_lost_or_duplicated_writes_fail_the_run():
    kinds = {kind: ledger.KindResult(150, 0, 0) for kind in ledger.KINDS}
    kinds["comments"] = ledger.KindResult(150, 1, 0)
    kinds["follows"] = ledger.KindResult(150, 0, 2)
    missed = ledger.failures(passing_outcome(kinds=kinds))
    assert missed == [
        "comments: 1 acknowledged but not in the database",
        "follows: 2 written more than once",
    ]


def test_each_shape_of_contribution_needs_its_share_of_the_floor():
    variants = {variant: 30 for variant in ledger.contribution_variants()}
    variants["area, photo"] = 0
    missed = ledger.failures(passing_outcome(variants=variants))
    assert missed == ["contributions (area, photo): 0 acknowledged, below 10"]


def test_the_floor_scales_with_the_duration():
    assert ledger.floor_for(120) == 100
    assert ledger.floor_for(180) == 150
    assert ledger.floor_for(20) == 17
    assert ledger.floor_for(1) == 1


def test_refused_writes_are_errors_and_429_is_counted_apart():
    samples = [
        ledger.Sample(10.0, "vote request", 5, 403),  # no CSRF token: refused, not ok
        ledger.Sample(11.0, "comment", 5, 401),
        ledger.Sample(12.0, "submit", 5, 200),  # a contribution is created: 201, nothing else
        ledger.Sample(13.0, "submit", 5, 201),
        ledger.Sample(14.0, "report", 5, 302),
        ledger.Sample(15.0, "tile", 5, 204),
        ledger.Sample(16.0, "comment", 5, 429),
        ledger.Sample(17.0, "detail", 5, None, "ConnectionError"),
        ledger.Sample(50.0, "detail", 5, 500),  # in flight during a fault window
        ledger.Sample(39.9, "submit", 200, 503),  # started before it, still in flight
    ]
    counts, outside, inside = ledger.tally(samples, [("restart", 40.0, 60.0)])
    assert counts == {"outside": 7, "inside": 2, "rate_limited": 1}
    assert outside == Counter({"403": 1, "401": 1, "200": 1, "ConnectionError": 1})
    assert inside == Counter({"500": 1, "503": 1})
    outcome = passing_outcome(
        requests=len(samples),
        outside=counts["outside"],
        errors_outside=outside,
        rate_limited=counts["rate_limited"],
    )
    missed = ledger.failures(outcome)
    assert "errors outside fault windows 57.14% >= 0.5%" in missed
    assert "429 on 10.00% of requests >= 1.0%" in missed


def test_a_run_that_never_recovered_fails():
    assert ledger.failures(passing_outcome(recovery_s=None)) == [
        "recovery after the PostgreSQL restart: None s"
    ]
    assert ledger.failures(passing_outcome(recovery_s=None, faults_expected=False)) == []


def test_a_run_with_the_rate_limits_off_fails():
    assert ledger.failures(passing_outcome(limiter=[202] * 6)) == [
        "rate limits not in force: six links to one address got [202, 202, 202, 202, 202, 202]"
    ]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_every_write_is_acknowledged_and_kept_through_a_short_run_with_faults():
    need(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        "PostgreSQL server binaries are not installed (postgresql package)",
    )
    need(shutil.which("redis-server"), "redis-server is not installed")
    need((ROOT / ".venv" / "bin" / "gunicorn").exists(), "gunicorn is not in .venv")
    # Under /tmp, reachable by the postgres user the cluster runs as when we are root.
    workdir = Path(tempfile.mkdtemp(prefix="mapping-load-test-"))
    workdir.chmod(0o755)
    figures = workdir / "figures.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_REPLICA_URLS", "PYTEST_CURRENT_TEST", "DB_NAME"}
    }
    db_port = free_port()
    command = [
        sys.executable,
        str(ROOT / "bench" / "load_faults.py"),
        "--duration=20",
        "--clients=4",
        "--workers=2",
        # 5 of each kind in 20 s: enough to catch a write path that stopped working (it
        # acknowledges none), with room for a shared, busy machine; the bench's own floor,
        # measured on a quiet one, is 100 per 120 s.
        "--floor=30",
        f"--workdir={workdir}",
        f"--db-port={db_port}",
        f"--port={free_port()}",
        "--fresh",
        "--no-write",
        f"--json={figures}",
    ]
    # Its own process group: on a timeout, gunicorn goes with it.
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        try:
            stdout, stderr = run.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            stdout, stderr = run.communicate()
        report = stdout + "\n" + stderr[-3000:]
        assert run.returncode == 0, report
        found = json.loads(figures.read_text())
        assert found["missed"] == [], report
        for kind in ledger.KINDS:
            figures_of = found["kinds"][kind]
            assert figures_of["acknowledged"] >= found["floor"] >= 5, (kind, report)
            assert figures_of["lost"] == figures_of["duplicated"] == 0, (kind, report)
    finally:
        # The run stops its cluster; after a timeout it is stopped here.
        subprocess.run(
            [str(ROOT / "scripts" / "localdb.sh"), "stop"],
            env={**env, "LOCALDB_DIR": str(workdir / "cluster"), "DB_PORT": str(db_port)},
            capture_output=True,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)
