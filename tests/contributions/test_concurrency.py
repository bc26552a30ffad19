"""Parallel requests: one row per Idempotency-Key, one vote per participant."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from contributions.models import Contribution, Vote
from mapping.demo import load_demo
from tests.contributions.conftest import NICE, point

URL = "/api/projects/piter-alpimed/contributions/"


def in_parallel(count, request):
    """Runs request(client) from `count` threads released together; returns the results."""
    barrier = threading.Barrier(count)

    def run(_):
        client = Client()
        try:
            barrier.wait(timeout=30)
            return request(client)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_20_parallel_posts_with_one_idempotency_key_make_one_row(django_user_model, signed_in):
    load_demo()
    user = django_user_model.objects.create_user("phone") if signed_in else None
    body = json.dumps(point(*NICE, title="Retried on a weak network"))

    def send(client):
        if user:
            client.force_login(user)
        response = client.post(
            URL, body, content_type="application/geo+json", HTTP_IDEMPOTENCY_KEY="key-2026-11-22"
        )
        return response.status_code, response.json().get("id")

    results = in_parallel(20, send)
    assert {status for status, _ in results} == {201}
    assert len({identifier for _, identifier in results}) == 1
    assert Contribution.objects.filter(title="Retried on a weak network").count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_reused_key_with_another_body_is_refused(client):
    load_demo()
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    first = client.post(URL, json.dumps(point(*NICE)), "application/geo+json", **headers)
    other = client.post(
        URL, json.dumps(point(*NICE, title="Other")), "application/geo+json", **headers
    )
    again = client.post(URL, json.dumps(point(*NICE)), "application/geo+json", **headers)
    assert first.status_code == 201
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_50_parallel_votes_by_one_user_make_one_vote(django_user_model):
    project = load_demo()
    user = django_user_model.objects.create_user("voter")
    target = Contribution.objects.public().filter(project=project).first()
    start = target.vote_count

    def vote(client):
        client.force_login(user)
        return client.post(f"{URL}{target.pk}/vote/").status_code

    statuses = in_parallel(50, vote)
    assert sorted(set(statuses)) == [200, 201] and statuses.count(201) == 1
    assert Vote.objects.filter(contribution=target, user=user).count() == 1
    target.refresh_from_db()
    assert target.vote_count == start + 1 == Vote.objects.filter(contribution=target).count()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_each_counted_once(django_user_model):
    # 30 people vote at the same instant: the counter adds each (by delta), none overwrites.
    project = load_demo()
    users = [django_user_model.objects.create_user(f"voter{n}") for n in range(30)]
    target = Contribution.objects.public().filter(project=project).first()
    start = target.vote_count
    turn = iter(users)
    lock = threading.Lock()

    def vote(client):
        with lock:
            client.force_login(next(turn))
        return client.post(f"{URL}{target.pk}/vote/").status_code

    assert in_parallel(30, vote) == [201] * 30
    target.refresh_from_db()
    assert target.vote_count == start + 30 == Vote.objects.filter(contribution=target).count()
