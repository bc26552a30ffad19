"""Abuse control: rate limits (429 with Retry-After, nothing written), sign-in lockout, and
limits that hold across worker processes through the shared Redis cache."""

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from contributions.models import Comment, Contribution, Vote
from core import ratelimit
from open311.models import ApiClient
from tests import factories
from tests.conftest import ROOT, need
from tests.contributions.conftest import NICE, point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/contributions/"


def limits(**rates):
    return override_settings(RATE_LIMITS_ENABLED=True, RATE_LIMITS=rates)


def address():
    """A client address of its own per test: counters live in the cache for the whole run."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def assert_limited(response):
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["code"] == "rate_limited" and body["detail"]


def test_rates_parse():
    assert ratelimit.parse_rate("20/h") == (20, 3600)
    assert ratelimit.parse_rate("5/10m") == (5, 600)
    with pytest.raises(ValueError):
        ratelimit.parse_rate("often")


def test_submissions_over_the_limit_get_429_and_store_nothing(client, demo):
    ip = address()
    with limits(contribution="2/h"):
        for _ in range(2):
            response = client.post(
                URL, json.dumps(point(*NICE)), "application/geo+json", REMOTE_ADDR=ip
            )
            assert response.status_code == 201
        before = Contribution.objects.count()
        response = client.post(
            URL, json.dumps(point(*NICE)), "application/geo+json", REMOTE_ADDR=ip
        )
        assert_limited(response)
        assert Contribution.objects.count() == before
        # Another client is not affected.
        response = client.post(
            URL, json.dumps(point(*NICE)), "application/geo+json", REMOTE_ADDR=address()
        )
        assert response.status_code == 201


def test_votes_and_comments_through_the_api(client, demo):
    target = Contribution.objects.public().filter(project=demo).first()
    base = f"{URL}{target.pk}"
    ip = address()
    client.force_login(factories.make_user())  # a vote is an account's: its own budget
    with limits(vote="1/m", comment="1/m"):
        assert client.post(f"{base}/vote/", REMOTE_ADDR=ip).status_code in (200, 201)
        assert_limited(client.post(f"{base}/vote/", REMOTE_ADDR=ip))
        assert_limited(client.delete(f"{base}/vote/", REMOTE_ADDR=ip))  # one budget
        body = {"body": "Bonne idée"}
        assert (
            client.post(f"{base}/comments/", body, "application/json", REMOTE_ADDR=ip).status_code
            == 201
        )
        count = Comment.objects.filter(contribution=target).count()
        assert_limited(client.post(f"{base}/comments/", body, "application/json", REMOTE_ADDR=ip))
        assert Comment.objects.filter(contribution=target).count() == count


def test_the_page_forms_are_limited_too(client, demo):
    target = Contribution.objects.public().filter(project=demo).first()
    page = f"/fr/p/{demo.slug}/c/{target.pk}/"
    user = factories.make_user()
    client.force_login(user)  # signed in: the budget is the account's, whatever the address
    with limits(vote="1/m", comment="1/m"):
        assert client.post(page, {"action": "vote"}, REMOTE_ADDR=address()).status_code == 302
        response = client.post(page, {"action": "unvote"}, REMOTE_ADDR=address())
        assert response.status_code == 429 and int(response["Retry-After"]) >= 1
        assert "Retry-After" in response and response["Content-Type"].startswith("text/html")
        assert Vote.objects.filter(contribution=target, user=user).exists()


def test_open311_posts_are_limited_per_api_key(client, demo):
    key = ApiClient.objects.create(name=factories.hostile("client")).key
    form = {
        "api_key": key,
        "service_code": f"{demo.slug}.infrastructure",
        "lat": str(NICE[1]),
        "long": str(NICE[0]),
        "description": "Nid de poule",
    }
    with limits(open311="1/h"):
        assert client.post("/open311/v2/requests.json", form).status_code == 201
        before = Contribution.objects.count()
        response = client.post("/open311/v2/requests.json", form, REMOTE_ADDR=address())
        assert response.status_code == 429 and int(response["Retry-After"]) >= 1
        assert response.json()[0]["description"].startswith("[rate_limited]")
        assert Contribution.objects.count() == before


def test_api_reads_have_a_generous_global_limit(client, demo):
    ip = address()
    with limits(api_read="3/m"):
        for _ in range(3):
            assert client.get("/api/projects/", REMOTE_ADDR=ip).status_code == 200
        assert_limited(client.get(f"/api/projects/{demo.slug}/", REMOTE_ADDR=ip))
        tile = client.get(f"/tiles/{demo.slug}/0/0/0.pbf", REMOTE_ADDR=ip)
        assert tile.status_code == 429


def test_no_raw_address_is_kept_in_the_cache(client, demo):
    ip = "203.0.113.77"
    with limits(api_read="100/m"):
        client.get("/api/projects/", REMOTE_ADDR=ip)
    redis = cache._cache.get_client()
    keys = [k.decode() for k in redis.scan_iter(match="*ratelimit*", count=1000)]
    assert keys and not [k for k in keys if ip in k]
    assert all(redis.ttl(k) > 0 for k in keys)  # every counter expires with its window


def test_the_sliding_window_weighs_the_previous_one():
    client_id = f"test-{uuid.uuid4()}"
    with limits(demo_action="10/m"):
        start = (time.time() // 60 + 1) * 60  # the start of a window
        for _ in range(10):
            assert ratelimit.hit("demo_action", client_id, now=start + 50) is None
        # 15 s into the next window, 3/4 of the previous count (7.5) still weighs.
        assert ratelimit.hit("demo_action", client_id, now=start + 75) is None
        assert ratelimit.hit("demo_action", client_id, now=start + 75) is None
        wait = ratelimit.hit("demo_action", client_id, now=start + 75)
        assert wait is not None and 1 <= wait <= 60


# --------------------------------------------------------------------------- sign-in


def test_sign_in_locks_out_after_repeated_wrong_codes(client, demo):
    """Residents sign in with a code sent by email: three wrong codes and that code is dead,
    even when the right one follows; asking for new codes is limited per address too."""
    from allauth.account.models import EmailAddress

    email = f"lock-{uuid.uuid4().hex[:8]}@example.org"
    user = factories.make_user(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    mail.outbox.clear()
    response = client.post("/fr/accounts/login/code/", {"email": email})
    assert response.status_code == 302
    confirm = response["Location"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    for _ in range(3):
        client.post(confirm, {"code": "AAAA-AAAA"})
    client.post(confirm, {"code": code})
    assert "_auth_user_id" not in client.session


def test_sign_in_requests_are_rate_limited(client, demo):
    with override_settings(ACCOUNT_RATE_LIMITS={"login": "2/m/ip"}):
        ip = address()
        codes = [
            client.post(
                "/fr/accounts/login/",
                {"login": f"x{i}@example.org", "password": "x"},
                REMOTE_ADDR=ip,
            ).status_code
            for i in range(4)
        ]
    assert codes[-1] == 429, codes
    assert not mail.outbox or all("@" in m.to[0] for m in mail.outbox)


# ---------------------------------------------------- shared across worker processes


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_url():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:{}/0".format(
        os.environ.get("REDIS_PORT", "56379")
    )


def _redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.slow
def test_a_limit_holds_across_gunicorn_workers(tmp_path):
    url = _redis_url()
    need(_redis_answers(url), f"Redis does not answer at {url} (scripts/localredis.sh start)")
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mapping.settings.development",
        "DB_NAME": connection.settings_dict["NAME"],
        "DEBUG": "false",
        "REDIS_URL": url,
        "CACHE_KEY_PREFIX": f"ratelimit-test-{uuid.uuid4().hex}",
        "RATE_LIMITS_ENABLED": "true",
        "RATE_LIMITS": "api_read=6/m",
    }
    server = subprocess.Popen(
        [
            str(Path(ROOT) / ".venv" / "bin" / "gunicorn"),
            "mapping.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=3",
            "--log-level=warning",
            f"--access-logfile={log}",
            "--access-logformat=%(p)s %(s)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # Every worker up first (the port opens with the first one): /healthz is not limited.
        deadline = time.monotonic() + 30
        while len(_pids(log)) < 2 and time.monotonic() < deadline:
            with ThreadPoolExecutor(max_workers=6) as pool:
                list(pool.map(lambda _n: _get(port, "/healthz"), range(6)))
        # Concurrent requests on fresh connections: several workers answer them.
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda _n: _get(port, "/api/projects/"), range(30)))
        codes = [code for code, _retry in answers]
        for code, retry in answers:
            if code == 429:
                assert int(retry) >= 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert codes.count(200) == 6 and codes.count(429) == 24, codes
    served_by = _pids(log, path="/api/projects/")
    assert len(served_by) >= 2, f"one worker served everything: {served_by}"


def _get(port, path):
    """(status, Retry-After) of a GET on a new connection."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Connection": "close"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def _pids(log, path=None):
    """The worker processes that wrote access lines (for `path` only, when given)."""
    if not log.exists():
        return set()
    rows = [line.split() for line in log.read_text().splitlines() if line.strip()]
    return {row[0] for row in rows if path is None or row[-1] == path}
