"""The project's promise (its participation level, what will be done with contributions) is
in view next to the map without opening anything, on a phone and a desktop; the progress
wording stays right once the target is passed, in each language."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from contributions import figures
from contributions.models import Project
from mapping.page_data import LEVEL_PROMISES
from tests.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REACHED = (
    "%(shown)s contribution — the target of %(target)s is reached",
    "%(shown)s contributions — the target of %(target)s is reached",
)
HOPED = (
    "%(shown)s contribution of %(target)s hoped for",
    "%(shown)s contributions of %(target)s hoped for",
)
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


def wording(language, msgids, count, target):
    with translation.override(language):
        return translation.ngettext(*msgids, count) % {
            "shown": intcomma(count),
            "target": intcomma(target),
        }


@pytest.fixture
def page_at(live_demo, browser):
    project, base = live_demo
    contexts = []

    def open_page(size, language="fr"):
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        page.goto(f"{base}/{language}/p/{project.slug}/")
        page.wait_for_selector("#map[data-loaded=true]")
        return page

    yield project, open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_the_promise_is_in_view_without_opening_anything(page_at, size, language):
    project, open_page = page_at
    page = open_page(size, language)
    promise = page.locator(".promise")
    assert promise.is_visible()
    assert not promise.evaluate("el => Boolean(el.closest('details:not([open])'))")
    with translation.override(language):
        level = str(LEVEL_PROMISES[project.participation_level])
        own = project.promise.get(language, "")
    assert level in promise.inner_text()
    assert own.split(";")[0] in promise.inner_text()
    # On the first screen, above the map, with the progress beside it.
    box, map_box = promise.bounding_box(), page.locator("#map").bounding_box()
    height = SIZES[size][1]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert box["y"] + box["height"] <= map_box["y"]
    assert page.locator(".progress-text").bounding_box()["y"] < height
    screenshot(page, f"promise-{size}-{language}")


@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_progress_wording_past_the_target(page_at, language):
    project, open_page = page_at
    count = figures.public_contributions(project)
    target = count // 2
    Project.objects.filter(pk=project.pk).update(target_contributions=target)
    page = open_page("phone", language)
    label = page.inner_text("label[for=progress]")
    assert label == wording(language, REACHED, count, target)
    assert page.locator("#progress").get_attribute("value") == str(count)
    screenshot(page, f"promise-reached-{language}")


@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_progress_wording_below_the_target_formats_its_numbers(page_at, language):
    project, open_page = page_at
    count = figures.public_contributions(project)
    Project.objects.filter(pk=project.pk).update(target_contributions=1500)
    page = open_page("desktop", language)
    label = page.inner_text("label[for=progress]")
    assert label == wording(language, HOPED, count, 1500)
    with translation.override(language):
        assert intcomma(1500) in label and intcomma(1500) != "1500"


def test_the_target_reached_exactly(page_at):
    project, open_page = page_at
    count = figures.public_contributions(project)
    Project.objects.filter(pk=project.pk).update(target_contributions=count)
    page = open_page("desktop", "en")
    assert page.inner_text("label[for=progress]") == wording("en", REACHED, count, count)
