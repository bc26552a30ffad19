"""Content Security Policy on every page, no violation in a real browser, and no request from
public pages to any host but the site and the configured basemap."""

import json
from urllib.parse import urlsplit

import pytest

from privacy import views
from tests.conftest import screenshot
from tests.pages.conftest import open_map

PAGES = [
    "/fr/",
    "/fr/p/piter-alpimed/",
    "/fr/p/piter-alpimed/list/",
    "/fr/privacy/",
    "/fr/privacy/by-email/",
    "/fr/accounts/login/",
    "/fr/accessibility/",
]

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile}));
"""


@pytest.mark.django_db
def test_every_page_carries_the_policy(client, demo, settings):
    contribution = demo.contributions.public().first()
    for path in [*PAGES, f"/fr/p/piter-alpimed/c/{contribution.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        # No tile service by default: no third-party host anywhere in the policy.
        assert "img-src 'self' data:;" in policy and "http" not in policy, path
        assert "connect-src 'self';" in policy and "report-uri /csp-report/" in policy
        assert "unsafe-inline" not in policy.split("style-src-attr")[0], path


@pytest.mark.django_db
def test_reports_are_logged_and_bad_ones_refused(client, caplog):
    report = {"csp-report": {"violated-directive": "script-src", "blocked-uri": "inline"}}
    response = client.post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report"
    )
    assert response.status_code == 204
    assert "CSP violation: script-src blocked inline" in caplog.text
    bad = client.post("/csp-report/", "{", content_type="application/csp-report")
    assert bad.status_code == 400 and bad.json()["code"] == "malformed_report"
    views.RECENT.clear()


@pytest.mark.django_db(transaction=True)
def test_no_violation_and_no_third_party_request_in_a_browser(live_demo, page):
    project, base = live_demo
    views.RECENT.clear()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.add_init_script(LISTEN)
    contribution = project.contributions.public().first()
    violations = []
    for path in [*PAGES, f"/fr/p/{project.slug}/c/{contribution.pk}/"]:
        if path == f"/fr/p/{project.slug}/":
            open_map(page, base, project.slug)
            page.locator("#map").click()
        else:
            page.goto(base + path)
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("window.__cspViolations")
    screenshot(page, "privacy-contribution-under-csp")
    assert violations == []
    assert views.RECENT == []
    assert page.js_errors == []
    assert hosts == {urlsplit(base).netloc}, hosts


@pytest.mark.django_db
def test_a_tile_service_is_allowed_only_when_configured(client, demo, settings):
    """The policy is built once from the environment: this reads what base.py builds."""
    import importlib
    import os

    from mapping.settings import base

    os.environ["MAP_BASEMAP_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    try:
        configured = importlib.reload(base)
        directives = configured.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        assert "https://tiles.example.org" in directives["img-src"]
        assert "https://tiles.example.org" in directives["connect-src"]
        assert configured.LEAFLET_CONFIG["TILES"][0][1].startswith("https://tiles.example.org/")
    finally:
        del os.environ["MAP_BASEMAP_URL"]
        default = importlib.reload(base)
    assert default.LEAFLET_CONFIG["TILES"] == []
    assert default.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


@pytest.mark.django_db
def test_the_staff_place_map_script_runs_only_with_the_nonce(client, demo, settings):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("csp-admin", "csp-admin@example.org")
    client.force_login(admin)
    response = client.get(f"/fr/staff/{demo.slug}/record/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    inline = html.count("<script nonce=")
    assert inline >= 1 and html.count(f'<script nonce="{nonce}">') == inline
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]
