"""A result with progress and milestones, in a real browser and in French: it is a layer of
the project map (with its legend entry, and a popup linking to its page), its page shows the
progress bar, the milestones and the contributions it answers on a map, and each
contribution it answers links to it."""

import datetime

import pytest
from django.contrib.gis.geos import Polygon

from contributions.models import Contribution, Status
from staff.models import Role
from staff.services.results import add_milestone, save_result
from tests import factories
from tests.a11y.axe import axe_violations
from tests.conftest import screenshot
from tests.pages.conftest import open_map

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def result(live_demo):
    project, base = live_demo
    moderator = factories.give_role(factories.make_user(staff=True), project, Role.MODERATOR)
    answered = list(Contribution.objects.filter(project=project, status=Status.PUBLISHED)[:3])
    result = save_result(
        actor=moderator,
        project=project,
        title={"fr": "Trottoirs élargis", "it": "Marciapiedi allargati"},
        text={"fr": "Les trottoirs de la rue sont élargis."},
        status="in_progress",
        progress=60,
        geom=Polygon.from_bbox((7.26, 43.70, 7.27, 43.71)),
        contribution_ids=[c.pk for c in answered],
    )
    add_milestone(
        actor=moderator,
        result=result,
        date=datetime.date(2026, 3, 2),
        text={"fr": "Début des travaux"},
    )
    return project, base, result, answered


def test_a_result_shows_on_the_map_its_page_and_its_contributions(map_page, result):
    project, base, result, answered = result
    page = map_page
    open_map(page, base, project.slug)
    legend = page.locator(".results-legend")
    legend.wait_for()
    assert "1 result" in legend.inner_text() or "1 résultat" in legend.inner_text()
    assert page.locator("path[stroke='#8a3b00']").count() >= 1
    page.evaluate(
        "() => projectMap.map.eachLayer((l) => { if (l.feature && l.getPopup && l.getPopup())"
        " l.openPopup(); })"
    )
    link = page.locator(".result-popup a")
    link.wait_for()
    assert link.inner_text() == "Trottoirs élargis"
    screenshot(page, "results-map")
    page.locator("#show-results").uncheck()
    assert page.locator("path[stroke='#8a3b00']").count() == 0

    page.goto(f"{base}/fr/p/{project.slug}/results/{result.pk}/")
    page.wait_for_selector("#map[data-loaded=true]")
    bar = page.locator("progress#result-progress")
    assert bar.get_attribute("value") == "60" and bar.get_attribute("max") == "100"
    # French sets a space before the percent sign ("Avancement : 60 %"), as its catalogue says.
    label = " ".join(page.locator("label[for=result-progress]").inner_text().split())
    assert label.endswith("60 %"), label
    assert "Début des travaux" in page.locator(".milestones").inner_text()
    assert page.locator(".answered li").count() == len(answered)
    assert page.locator("path[stroke='#8a3b00']").count() == 1
    screenshot(page, "results-page")

    page.goto(f"{base}/fr/p/{project.slug}/c/{answered[0].pk}/")
    link = page.locator(".contribution-results a")
    assert link.inner_text() == "Trottoirs élargis"
    link.click()
    page.wait_for_url(f"**/fr/p/{project.slug}/results/{result.pk}/")
    assert not page.js_errors


def test_the_result_page_and_the_map_with_results_pass_axe(browser, result):
    project, base, result, _answered = result
    # axe-core is let in despite the pages' Content Security Policy (checked elsewhere).
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    try:
        page.goto(f"{base}/fr/p/{project.slug}/results/{result.pk}/")
        page.wait_for_selector("#map[data-loaded=true]")
        assert axe_violations(page) == []
        open_map(page, base, project.slug)
        page.locator(".results-legend").wait_for()
        assert axe_violations(page) == []
    finally:
        context.close()
