"""make prod-check, run by the suite: the application behind Debian's nginx with the production
settings (deploy/prod_check.py), and the same check failing when the proxy does not forward
the client's address."""

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import ROOT, need

SCRIPT = ROOT / "deploy" / "prod_check.py"


def prod_check(*args, timeout=240):
    need(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"), "nginx is not installed")
    need(shutil.which("openssl"), "openssl is not installed")
    need((ROOT / ".venv" / "bin" / "gunicorn").exists(), "gunicorn is not in .venv")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_REPLICA_URLS", "PYTEST_CURRENT_TEST", "DB_NAME"}
    }
    # Its own process group; a timeout sends SIGTERM first, so the check stops its nginx and
    # gunicorn and drops its database, then SIGKILL if it lingers.
    run = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = run.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            output, _ = run.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            output, _ = run.communicate()
        pytest.fail(f"prod_check.py did not finish within {timeout} s:\n{output[-4000:]}")
    return run.returncode, output


@pytest.mark.slow
def test_prod_check_passes():
    code, output = prod_check()
    assert code == 0, output[-6000:]
    assert ", 0 failed" in output, output[-6000:]
    for check in ("redirect", "security-headers", "static", "tile-cache", "submission"):
        assert f"ok   {check}:" in output, output[-6000:]
    assert "ok   receipt:" in output and "ok   rate-limits:" in output, output[-6000:]


@pytest.mark.slow
def test_prod_check_fails_when_the_proxy_does_not_forward_the_client_address():
    code, output = prod_check("--break-forwarding", "--only", "healthz,rate-limits")
    assert code == 1, output[-6000:]
    # The proxy works (the application answers through it) ...
    assert "ok   healthz:" in output, output[-6000:]
    # ... but every client shares the proxy's budget, and a forged header picks a new one.
    assert "FAIL rate-limits:" in output, output[-6000:]
    assert "127.0.0.3 then answered 429" in output, output[-6000:]
