import subprocess

import pytest
from django.db import connections


@pytest.mark.django_db
def test_home_page_answers_in_the_browser_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/it/"
    response = client.get("/it/")
    assert response.status_code == 200
    assert b"<h1>" in response.content


@pytest.mark.django_db
def test_healthz_reports_postgis_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["postgis"].startswith("3.")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_with_a_reason_when_database_is_down(client, local_cluster):
    connections.close_all()
    subprocess.run([local_cluster, "stop"], check=True)
    try:
        response = client.get("/healthz")
    finally:
        subprocess.run([local_cluster, "start"], check=True)
        connections.close_all()
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["detail"]
    assert "connect" in body["reason"].lower() or "refused" in body["reason"].lower()
    # And it recovers once the cluster is back.
    assert client.get("/healthz").status_code == 200
