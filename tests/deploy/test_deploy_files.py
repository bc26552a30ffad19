"""The deployment files (deploy/) agree with the application: every setting read from the
environment is in the environment template, the proxy's upload limit fits the photos', the
nginx site renders, every scheduled job has a timer, and the client address is read from
X-Forwarded-For only from a trusted proxy."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from contributions.photos import MAX_BYTES
from contributions.vocabulary import MAX_PHOTOS
from core.ratelimit import client_address
from deploy.prod_check import FORWARDING_MARK, render_site
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")


def settings_read_from_the_environment() -> set[str]:
    names = set()
    for module in (ROOT / "mapping" / "settings").glob("*.py"):
        names.update(READ.findall(module.read_text()))
    return names


def test_the_environment_template_lists_every_setting():
    names = settings_read_from_the_environment()
    assert {"SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXIES", "RATE_LIMITS_ENABLED"} <= names
    template = (DEPLOY / "mapping.env.example").read_text()
    missing = sorted(name for name in names if not re.search(rf"\b{name}\b", template))
    assert missing == [], f"deploy/mapping.env.example does not mention {missing}"


def test_the_environment_template_sets_what_production_requires():
    template = (DEPLOY / "mapping.env.example").read_text()
    set_lines = {
        line.split("=", 1)[0]
        for line in template.splitlines()
        if line and not line.startswith("#") and "=" in line
    }
    for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL", "TRUSTED_PROXIES"):
        assert name in set_lines


def megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_the_proxy_upload_limit_fits_a_contribution_with_its_photos():
    site = (DEPLOY / "nginx" / "mapping.conf").read_text()
    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", site, re.M)
    assert len(sizes) == 1
    limit = megabytes(sizes[0])
    photos = MAX_PHOTOS * MAX_BYTES
    # Room for the form fields and the multipart framing, but not much more: a body nginx
    # accepts is one the application can take.
    assert photos + 256 * 1024 <= limit <= photos + 4 * 1024 * 1024, (limit, photos)


VALUES = {
    "SERVER_NAME": "carte.example.org",
    "SITE_URL": "https://carte.example.org",
    "HTTP_LISTEN": "80",
    "HTTPS_LISTEN": "443",
    "TLS_CERTIFICATE": "/etc/ssl/carte.pem",
    "TLS_CERTIFICATE_KEY": "/etc/ssl/carte.key",
    "STATIC_ROOT": "/srv/mapping/static",
    "UPSTREAM": "127.0.0.1:8000",
    "CACHE_DIR": "/var/cache/nginx/mapping",
    "ACME_ROOT": "/var/www/html",
}


def test_the_nginx_site_renders_and_forwards_the_client_address():
    site = render_site(VALUES)
    assert "${" not in site
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "add_header X-Cache-Status $upstream_cache_status always;" in site
    # Uploads are never served from the media folder by the proxy.
    assert not re.search(r"alias\s+\S*media", site)
    broken = render_site(VALUES, forwarding=False)
    assert "X-Forwarded-For" not in broken and "X-Real-IP" not in broken
    raw = (DEPLOY / "nginx" / "mapping.conf").read_text()
    assert len([line for line in raw.splitlines() if FORWARDING_MARK in line]) == 2


def test_the_photos_are_never_cached_by_the_proxy():
    site = render_site(VALUES)
    block = re.search(r"location /photos/ \{(.*?)\}", site, re.S).group(1)
    assert "proxy_cache" not in block


@pytest.mark.parametrize(
    "command",
    [
        "manage.py apply_retention",
        "manage.py send_place_digests --frequency daily",
        "manage.py send_place_digests --frequency weekly",
        "scripts/backup.sh run full",
        "scripts/backup.sh run diff",
        "scripts/backup.sh media",
    ],
)
def test_every_scheduled_job_has_a_service_and_a_timer(command):
    units = Path(DEPLOY / "systemd")
    services = [
        unit
        for unit in units.glob("*.service")
        if re.search(rf"^ExecStart=.*{re.escape(command)}$", unit.read_text(), re.M)
    ]
    assert len(services) == 1, command
    assert services[0].with_suffix(".timer").exists()


def test_the_scheduled_commands_exist():
    from django.core.management import get_commands

    commands = get_commands()
    assert {"apply_retention", "send_place_digests", "backup_snapshot"} <= set(commands)


# ------------------------------------------------------------------ the client address


def request(remote, forwarded=None, real=None):
    headers = {}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if real is not None:
        headers["HTTP_X_REAL_IP"] = real
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_believed():
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1", "10.0.0.0/8"])
def test_a_trusted_proxy_gives_the_client_address():
    # One proxy: the address it appended.
    assert client_address(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # What the client wrote on the left is not believed: the rightmost untrusted address is.
    assert client_address(request("127.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two trusted hops (a load balancer, then nginx).
    assert client_address(request("127.0.0.1", "198.51.100.7, 10.1.2.3")) == "198.51.100.7"
    # Without the header, X-Real-IP; with neither, the proxy itself.
    assert client_address(request("::1", real="2001:db8::5")) == "2001:db8::5"
    assert client_address(request("127.0.0.1")) == "127.0.0.1"
    # Garbage stops the walk at the last address a trusted proxy vouched for.
    assert client_address(request("127.0.0.1", "198.51.100.7, nonsense")) == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_client_that_is_not_a_proxy_cannot_choose_its_address():
    assert client_address(request("203.0.113.9", "127.0.0.5")) == "203.0.113.9"
