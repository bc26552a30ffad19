"""Every main page in French, Italian and English: axe-core finds no serious or critical
violation, and the page speaks the language it says."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from contributions.models import Contribution, Follow, Project, Status, VoteIdentity
from staff.models import Role
from tests.conftest import ROOT, need, screenshot
from tests.pages.conftest import open_map
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ["fr", "it", "en"]
# WCAG 2.1 A and AA, what the RGAA 4.1 maps to.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def axe_violations(page):
    need(AXE.is_file(), f"axe-core is not installed ({AXE}); run: cd tests/a11y && npm install")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def known(language, *msgids):
    with translation.override(language):
        return [translation.gettext(m) for m in msgids]


@pytest.fixture
def site(live_demo, browser):
    """The demo in a browser that lets axe-core in despite the pages' Content Security Policy
    (the privacy tests check the policy itself, without this bypass)."""
    project, base = live_demo
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    yield project, base, page
    context.close()


def sign_in_as_moderator(page, project, base):
    moderator = give_role(make_user("moderatrice-a11y"), project, Role.MODERATOR)
    client = Client()
    client.force_login(moderator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_have_no_serious_violation(site, language):
    project, base, page = site
    contribution = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    pages = {
        "projects": (f"/{language}/", ["Open projects"]),
        "list": (f"/{language}/p/{project.slug}/list/", ["Filter", "Apply"]),
        "contribution": (
            f"/{language}/p/{project.slug}/c/{contribution.pk}/",
            ["Take part", "Report abuse"],
        ),
        "accessibility": (f"/{language}/accessibility/", ["Accessibility statement"]),
    }
    for name, (path, msgids) in pages.items():
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        text = page.inner_text("body")
        for expected in known(language, *msgids):
            assert expected in text, (name, language, expected)
        violations = axe_violations(page)
        assert violations == [], (name, language, violations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_map_and_the_form_with_its_errors_have_no_serious_violation(site, language):
    project, base, page = site
    open_map(page, base, project.slug, language)
    text = page.inner_text("body")
    for expected in known(language, "Contribute", "Send my contribution", "Find a commune"):
        assert expected in text, expected
    assert axe_violations(page) == []
    if language == "it":
        screenshot(page, "map-desktop-it")
    page.click("#submit")
    page.wait_for_selector("#form-errors:not(:empty)")
    assert axe_violations(page) == []
    screenshot(page, f"form-errors-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_queue_and_dashboard_have_no_serious_violation(site, language):
    project, base, page = site
    sign_in_as_moderator(page, project, base)
    pages = {
        f"/{language}/staff/{project.slug}/": "Moderation queue",
        f"/{language}/staff/{project.slug}/dashboard/": "Dashboard",
    }
    for path, msgid in pages.items():
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        assert page.inner_text("h1") == known(language, msgid)[0]
        violations = axe_violations(page)
        assert violations == [], (path, violations)


def test_the_map_page_is_usable_at_200_percent_zoom(site):
    """200% zoom of a 1280 px window is a 640 px wide layout: nothing scrolls sideways."""
    project, base, page = site
    page.set_viewport_size({"width": 640, "height": 400})
    open_map(page, base, project.slug)
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    for selector in ("#submit", "#place-centre", "#field-title"):
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 640, selector


def test_focus_is_visible(site):
    project, base, page = site
    open_map(page, base, project.slug)
    page.focus("#place-centre")
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('#place-centre')).outlineStyle"
    )
    assert outline == "solid"
    assert Path(AXE).is_file()


def tab_to(page, selector, presses=60):
    """Moves the focus with the Tab key alone until it reaches the element."""
    for _n in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_email_vote_by_keyboard_through_pages_without_serious_violation(site, language):
    """The contribution page's email vote, the mailed link's confirmation page and the unfollow
    page: reached and used with the keyboard, in each language."""
    project, base, page = site
    Project.objects.filter(pk=project.pk).update(vote_identity=VoteIdentity.ACCOUNT_OR_EMAIL)
    contribution = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    votes = contribution.vote_count
    page.goto(f"{base}/{language}/p/{project.slug}/c/{contribution.pk}/")
    assert axe_violations(page) == []
    tab_to(page, "#vote-email")
    page.keyboard.type(f"voter-{language}@example.org")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .message")
    [message] = [m for m in mail.outbox if m.to == [f"voter-{language}@example.org"]]
    link = re.search(r"https?://\S+/confirm/\S+/", message.body).group(0)
    page.goto(base + urlparse(link).path)
    assert page.locator("html").get_attribute("lang") == language
    assert axe_violations(page) == []
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .message")
    contribution.refresh_from_db()
    assert contribution.vote_count == votes + 1
    follow = Follow.objects.create(contribution=contribution, email="f@example.org")
    page.goto(f"{base}/{language}/unfollow/{follow.token}/")
    assert axe_violations(page) == []
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("main form", state="detached")
    assert not Follow.objects.filter(pk=follow.pk).exists()
