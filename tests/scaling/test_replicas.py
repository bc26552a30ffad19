"""Read scaling against a real streaming replica of the local cluster.

Reads of the lag-tolerant views go to the replica, writes to the primary, and a resident
who has just sent a contribution sees it at once even while the replica lags (its replay
paused here, so the lag is certain rather than a race).
"""

import json

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.db_router import ReplicaRouter
from tests.contributions.conftest import point

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "replica_1"]),
]
LIST = "/api/projects/piter-alpimed/contributions/"
CLUSTERS = "/api/projects/piter-alpimed/clusters/"
VIEW = {"bbox": "7.27,43.705,7.29,43.72", "zoom": 14}
NEAR = {"bbox": "7.27,43.705,7.29,43.72", "limit": 1000}


def titles(response):
    assert response.status_code == 200, response.content[:300]
    return {f["properties"]["title"] for f in response.json()["features"]}


def touched(capture, table="contributions_contribution"):
    return [q["sql"] for q in capture.captured_queries if table in q["sql"]]


def test_reads_go_to_the_replica_and_writes_to_the_primary(replica, caught_up):
    from mapping.demo import load_demo

    load_demo()
    caught_up()
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        assert cursor.fetchone() == (True, "54330")

    reader = Client()
    for path, params in (
        (LIST, NEAR),
        (CLUSTERS, VIEW),
        ("/tiles/piter-alpimed/14/8523/5975.pbf", {}),
    ):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections[replica]) as standby,
        ):
            response = reader.get(path, params)
        assert response.status_code in (200, 204), (path, response.content[:300])
        assert touched(standby) or touched(standby, "layers_"), path
        assert not touched(primary) and not touched(primary, "layers_"), path

    resident = Client()
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[replica]) as standby,
    ):
        response = resident.post(
            LIST, json.dumps(point(7.2805, 43.7123)), content_type="application/geo+json"
        )
    assert response.status_code == 201, response.content[:300]
    assert any(q.startswith("INSERT") for q in touched(primary))
    assert not standby.captured_queries


def test_a_resident_sees_their_own_new_pin_while_the_replica_lags(replica, caught_up):
    from mapping.demo import load_demo

    load_demo()
    caught_up()
    reader, resident = Client(), Client()
    before = reader.get(CLUSTERS, VIEW).json()["numberMatched"]
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        response = resident.post(
            LIST,
            json.dumps(point(7.2805, 43.7123, title="Un banc au soleil")),
            content_type="application/geo+json",
        )
        assert response.status_code == 201
        # The resident reads from the primary: their pin is there, in the list and the map.
        assert "Un banc au soleil" in titles(resident.get(LIST, NEAR))
        mine = resident.get(CLUSTERS, VIEW)
        assert mine.json()["numberMatched"] == before + 1
        assert mine["Cache-Control"] == "private, no-cache"
        # Everyone else reads the paused replica: not yet (which shows where they read).
        assert "Un banc au soleil" not in titles(reader.get(LIST, NEAR))
        assert reader.get(CLUSTERS, VIEW).json()["numberMatched"] == before
    finally:
        with connections[replica].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    assert "Un banc au soleil" in titles(reader.get(LIST, NEAR))
    assert reader.get(CLUSTERS, VIEW).json()["numberMatched"] == before + 1


@pytest.mark.django_db(databases=["default"])
def test_the_router_sends_writes_and_migrations_to_the_primary():
    from contributions.models import Contribution
    from core.db import reading_from

    router = ReplicaRouter()
    with reading_from("replica_1"):
        assert router.db_for_read(Contribution) == "replica_1"
        assert router.db_for_write(Contribution) == "default"
        from django.contrib.sessions.models import Session

        assert router.db_for_read(Session) is None  # sessions stay on the primary
    assert router.db_for_read(Contribution) is None
    assert router.allow_migrate("replica_1", "contributions") is False
    assert router.allow_migrate("default", "contributions") is True
