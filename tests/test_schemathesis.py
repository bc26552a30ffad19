"""Schemathesis over both OpenAPI descriptions against a live server: no server error."""

import subprocess
import sys
from pathlib import Path

import pytest

from mapping.demo import load_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.parametrize("schema", ["/api/schema/", "/ogc/api"])
def test_no_server_error_anywhere_in_the_schema(live_server, schema):
    load_demo()
    result = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            live_server.url + schema,
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "10",
            "--generation-deterministic",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1], summary
