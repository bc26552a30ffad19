"""Cluster and tile responses: HTTP validators keyed by the data version, the shared cache."""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.contributions.conftest import point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/clusters/"
VIEW = {"bbox": "7.20,43.66,7.34,43.76", "zoom": 12}


def vary(response):
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}


def test_a_repeated_request_is_a_304_and_the_response_is_shareable(client, demo):
    first = client.get(URL, VIEW)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["ETag"].startswith('"')
    # No translated text and nothing per user in the body: one copy serves everyone.
    assert not vary(first) & {"accept-language", "cookie"}
    assert client.get(URL, VIEW, HTTP_ACCEPT_LANGUAGE="it")["ETag"] == first["ETag"]
    again = client.get(URL, VIEW, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and again.content == b""
    assert client.get(URL, VIEW, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_filters_and_viewports_have_their_own_entries(client, demo):
    tags = {
        client.get(URL, VIEW)["ETag"],
        client.get(URL, {**VIEW, "kind": "report"})["ETag"],
        client.get(URL, {**VIEW, "zoom": 13})["ETag"],
        client.get(URL, {**VIEW, "bbox": "7.20,43.66,7.35,43.76"})["ETag"],
    }
    assert len(tags) == 4
    same = client.get(URL, {**VIEW, "theme": "services,health-social"})
    swapped = client.get(URL, {**VIEW, "theme": "health-social,services"})
    assert same["ETag"] == swapped["ETag"]
    assert same.json()["numberMatched"] < client.get(URL, VIEW).json()["numberMatched"]


def test_a_new_contribution_changes_the_etag_and_the_clusters(client, demo):
    from django.test import Client

    before = client.get(URL, VIEW)
    response = Client().post(
        "/api/projects/piter-alpimed/contributions/",
        json.dumps(point(7.2805, 43.7123, title="Nouveau banc")),
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    after = client.get(URL, VIEW, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json()["numberMatched"] == before.json()["numberMatched"] + 1


@override_settings(CLUSTER_INDEX_MODE="off")
def test_computed_clusters_come_from_the_shared_cache(client, demo):
    view = {"bbox": "7.40,43.70,7.55,43.80", "zoom": 11}  # asked by no other test
    with CaptureQueriesContext(connection) as computed:
        first = client.get(URL, view)
    assert any("layers_clustercell" in q["sql"] for q in computed.captured_queries)
    assert first["Server-Timing"].startswith('clusters;desc="sql"')
    with CaptureQueriesContext(connection) as cached:
        second = client.get(URL, view)
    # The project with its data version, in one query: nothing of the clusters themselves.
    assert len(cached.captured_queries) == 1, [q["sql"] for q in cached.captured_queries]
    assert "layers_version" in cached.captured_queries[0]["sql"]
    assert second["Server-Timing"].startswith('clusters;desc="cache"')
    assert second.content == first.content


def test_a_client_that_just_wrote_gets_private_revalidated_responses(client, demo):
    response = client.post(
        "/api/projects/piter-alpimed/contributions/",
        json.dumps(point(7.2805, 43.7123, title="Mon banc")),
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    assert "mapping_primary" in response.cookies
    assert client.get(URL, VIEW)["Cache-Control"] == "private, no-cache"


def test_tiles_do_not_vary_on_language_or_cookies(client, demo):
    response = client.get("/tiles/piter-alpimed/8/133/93.pbf")
    assert response.status_code in (200, 204)
    assert response["Cache-Control"] == "public, max-age=60"
    assert not vary(response) & {"accept-language", "cookie"}
    # An error keeps its language: it is translated.
    error = client.get("/tiles/piter-alpimed/23/0/0.pbf")
    assert error.status_code == 400
    assert "accept-language" in vary(error)
