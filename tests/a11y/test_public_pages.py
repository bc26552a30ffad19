"""Every public page, in French, Italian and English, with its states (a list searched, a
search refused, a form's error, a link that no longer works, a signed-in resident's data and
its erase form): axe-core finds no serious or critical violation, the page speaks its
language, and every checkbox and radio sits on one line with its label."""

import json

import pytest
from django.test import Client

from contributions.models import Contribution, Status
from privacy import links
from tests.a11y.axe import axe_violations, boxes_apart_from_their_labels
from tests.conftest import screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LANGUAGES = ["fr", "it", "en"]


@pytest.fixture
def site(live_demo, browser):
    """The demo in a browser that lets axe-core in despite the pages' Content Security Policy
    (the privacy tests check the policy itself, without this bypass)."""
    project, base = live_demo
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    yield project, base, page
    context.close()


def sign_in(page, base, username):
    user = make_user(username, email=f"{username}@example.org")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return user


def public_pages(project, language):
    """{name: (path, what to do once there, or None)}: every page a member of the public
    reaches, in one language."""
    contribution = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    word = contribution.description.split()[0]
    slug = project.slug
    token = links.make_token(f"erase-{language}@example.org")
    return {
        "home": (f"/{language}/", None),
        "map": (f"/{language}/p/{slug}/", "map"),
        "list": (f"/{language}/p/{slug}/list/", None),
        "list searched": (f"/{language}/p/{slug}/list/?q={word}&kind={contribution.kind}", None),
        "list search refused": (f"/{language}/p/{slug}/list/?q={'a' * 101}", None),
        "list page 2": (f"/{language}/p/{slug}/list/?page=2", None),
        "contribution": (f"/{language}/p/{slug}/c/{contribution.pk}/", None),
        "contribution form error": (f"/{language}/p/{slug}/c/{contribution.pk}/", "bad follow"),
        "accessibility": (f"/{language}/accessibility/", None),
        "privacy notice": (f"/{language}/privacy/", None),
        "privacy by email": (f"/{language}/privacy/by-email/", None),
        "privacy email sent": (f"/{language}/privacy/by-email/", "ask by email"),
        "privacy erase by link": (f"/{language}/privacy/by-email/{token}/", None),
        "privacy link invalid": (f"/{language}/privacy/by-email/forged/", None),
        "email link invalid": (f"/{language}/confirm/forged/", None),
        "unfollow unknown": (f"/{language}/unfollow/unknown/", None),
        "sign in": (f"/{language}/accounts/login/", None),
        "sign in code": (f"/{language}/accounts/login/", "ask a code"),
        "not found": (f"/{language}/p/{slug}/c/00000000-0000-0000-0000-000000000000/", None),
    }


def act(page, action, language):
    if action == "map":
        page.wait_for_selector("#map[data-loaded=true]")
    elif action == "bad follow":
        page.fill("#follow-email", "not an address")
        page.evaluate("document.querySelector('#follow-email').form.noValidate = true")
        page.locator("#follow-email").press("Enter")
        page.wait_for_load_state()
    elif action == "ask by email":
        page.fill("input[type=email]", f"someone-{language}@example.org")
        page.locator("input[type=email]").press("Enter")
        page.wait_for_load_state()
    elif action == "ask a code":
        page.fill("input[type=email]", f"code-{language}@example.org")
        page.locator("input[type=email]").press("Enter")
        page.wait_for_load_state()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_has_no_serious_violation(site, language):
    project, base, page = site
    problems = {}
    for name, (path, action) in public_pages(project, language).items():
        page.goto(base + path)
        act(page, action, language)
        if page.locator("html").get_attribute("lang") != language:
            problems[name] = f"lang={page.locator('html').get_attribute('lang')}"
        if found := axe_violations(page):
            problems[name] = found
        if apart := boxes_apart_from_their_labels(page):
            problems[f"{name}: boxes"] = apart
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_signed_in_residents_data_and_erase_form(site, language):
    project, base, page = site
    sign_in(page, base, f"resident-{language}")
    page.goto(f"{base}/{language}/privacy/my-data/")
    assert axe_violations(page) == []
    assert boxes_apart_from_their_labels(page) == []
    # Sent without the confirmation: the error, then the same check.
    page.evaluate("document.querySelector('#confirm-delete').required = false")
    page.click("#delete-data")
    page.wait_for_selector(".delete-data .error")
    assert axe_violations(page) == []
    assert boxes_apart_from_their_labels(page) == []
    screenshot(page, f"erase-form-{language}")


@pytest.mark.parametrize("size", [(360, 740), (1280, 800)])
def test_the_erase_forms_boxes_sit_with_their_labels(site, size):
    """Box and label on one line, the box first, however narrow the screen (the labels wrap
    beside their box, not under it)."""
    project, base, page = site
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, base, f"resident-{size[0]}")
    page.goto(f"{base}/fr/privacy/my-data/")
    for box_id in ("delete-photos", "confirm-delete"):
        box = page.locator(f"#{box_id}").bounding_box()
        label = page.locator(f"label[for={box_id}]").bounding_box()
        # Side by side: the label starts right of the box, and their tops are one line apart
        # at most.
        assert label["x"] >= box["x"] + box["width"], box_id
        assert abs(label["y"] - box["y"]) < box["height"], (box_id, box, label)
    assert boxes_apart_from_their_labels(page) == []
    screenshot(page, f"erase-form-{size[0]}")
    page.locator("#delete-data").scroll_into_view_if_needed()
    screenshot(page, f"erase-form-{size[0]}-boxes")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_box_sits_with_its_label_on_a_phone(site, language):
    """The forms with checkboxes and radios (the map's form, the sign-in, the erase form) at
    360 px, where lines wrap most."""
    project, base, page = site
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/{language}/accounts/login/")
    assert boxes_apart_from_their_labels(page) == []
    page.goto(f"{base}/{language}/p/{project.slug}/")
    page.wait_for_selector("#map[data-loaded=true]")
    assert boxes_apart_from_their_labels(page) == []
    # On a phone the form goes step by step: each step's boxes, shown in turn.
    for step in ("what", "about"):
        page.evaluate("(s) => projectMap.steps.show(s)", step)
        assert boxes_apart_from_their_labels(page) == [], step
    page.locator("#field-consent").scroll_into_view_if_needed()
    screenshot(page, f"boxes-map-form-phone-{language}")
    sign_in(page, base, f"phone-{language}")
    page.goto(f"{base}/{language}/privacy/my-data/")
    assert boxes_apart_from_their_labels(page) == []
