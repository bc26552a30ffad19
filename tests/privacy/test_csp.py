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
        assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
        assert "connect-src 'self'" in policy and "report-uri /csp-report/" in policy
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
    # The basemap is the one allowed third party; it is not fetched here (no network).
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
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
    assert hosts <= {urlsplit(base).netloc, "tile.openstreetmap.org"}, hosts
