import copy
import glob
import os
import shutil
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import need

REPLICA_PORT = 54330
ALIAS = "replica_1"


def _lsn_caught_up(timeout=60):
    """Waits until the replica has replayed everything the primary has written."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while True:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
            )
            in_recovery, caught_up = cursor.fetchone()
        assert in_recovery, "the replica is not a standby"
        if caught_up:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay up to {target} in {timeout}s")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker, local_cluster):
    """A streaming replica of the project-local cluster (pg_basebackup -R), started once the
    test database exists and is migrated, so it holds that database too; Django reaches it
    as DATABASES["replica_1"]. Stopped and removed after the module: later tests must not
    see a replica (their reads would be routed to it)."""
    need(
        shutil.which("pg_basebackup") or glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
        "pg_basebackup is not installed (postgresql package)",
    )
    env = {
        "REPLICA_PORT": str(REPLICA_PORT),
        "DB_PORT": os.environ.get("DB_PORT", "54329"),  # the primary the suite runs on
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
    }
    started = subprocess.run(
        [str(local_cluster), "replica-start"], capture_output=True, text=True, env=env
    )
    assert started.returncode == 0, started.stderr
    db = copy.deepcopy(connections["default"].settings_dict)
    db.update(PORT=REPLICA_PORT, TEST={"MIRROR": "default"})
    # The same dict serves the router (settings) and the connection handler.
    settings.DATABASES[ALIAS] = db
    connections.settings[ALIAS] = db
    try:
        with django_db_blocker.unblock():
            _lsn_caught_up()
        yield ALIAS
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        settings.DATABASES.pop(ALIAS, None)
        connections.settings.pop(ALIAS, None)
        subprocess.run([str(local_cluster), "replica-stop"], env=env, check=False)


@pytest.fixture
def caught_up(replica):
    return _lsn_caught_up
