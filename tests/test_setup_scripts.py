"""Bad set-up gets a sentence, not a traceback: taken ports, no apt, a database without PostGIS."""

import os
import socket
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings

from tests.conftest import ROOT


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_local_database_on_a_taken_port_says_so(taken_port, tmp_path, local_cluster):
    result = subprocess.run(
        [local_cluster, "start"],
        env={**os.environ, "DB_PORT": str(taken_port), "LOCALDB_DIR": str(tmp_path / "pg")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"port {taken_port} on 127.0.0.1 is already taken" in result.stderr
    assert "DB_PORT=" in result.stderr
    assert not (tmp_path / "pg" / "data").exists()


def test_server_on_a_taken_port_says_so(taken_port):
    result = subprocess.run(
        [ROOT / "scripts" / "port-free.sh", "127.0.0.1", str(taken_port)],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert f"port {taken_port} on 127.0.0.1 is already taken" in result.stderr
    assert "PORT=" in result.stderr


def test_machine_without_apt_is_told_which_packages_to_install():
    result = subprocess.run(
        ["/bin/bash", ROOT / "scripts" / "system-deps.sh"],
        env={"PATH": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert "no apt-get" in result.stderr
    for package in ("postgresql-postgis", "gdal-bin"):
        assert package in result.stderr


@pytest.fixture
def database_without_postgis(local_cluster):
    db = settings.DATABASES["default"]
    name = f"nopostgis_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE ROLE "{name}" LOGIN')
    admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    try:
        yield f"postgis://{name}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE "{name}"')
        admin.close()


def test_database_url_without_postgis_says_so(database_without_postgis):
    result = subprocess.run(
        [sys.executable, "manage.py", "ensure_postgis"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_without_postgis},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "has no PostGIS" in result.stderr
    assert "CREATE EXTENSION postgis" in result.stderr
    assert "Traceback" not in result.stderr
