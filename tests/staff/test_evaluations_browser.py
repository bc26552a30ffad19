"""The evaluation pages in Chromium: an evaluator scores a proposal with the keyboard, then sees
the other evaluator's scores side by side with the disagreement; the grid and the meeting's
page. Screenshots at phone, tablet and desktop widths land in
artifacts/screenshots/evaluations/."""

import datetime

import pytest
from django.test import Client

from contributions.models import Contribution, Kind, Status
from mapping.demo import load_demo
from staff.models import Evaluation, Role
from staff.services.decisions import create_meeting
from staff.services.evaluations import save_evaluation
from tests.a11y.axe import axe_violations
from tests.conftest import ARTIFACTS
from tests.factories import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 360, "tablet": 768, "desktop": 1280}


def _shot(page, name, width):
    folder = ARTIFACTS / "screenshots" / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def page(browser):
    """A browser that lets axe-core in despite the pages' Content Security Policy (checked
    elsewhere)."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def test_scoring_side_by_side_grid_and_meeting(live_server, page):
    project = load_demo()
    manager = give_role(make_user("responsable"), project, Role.MANAGER)
    province = give_role(make_user("province-imperia"), project, Role.ANALYST)
    proposal = (
        Contribution.objects.filter(project=project, kind=Kind.PROPOSAL, status=Status.PUBLISHED)
        .order_by("created_at")
        .first()
    )
    save_evaluation(
        actor=manager,
        contribution=proposal,
        scores={"relevance": 5, "feasibility": 4, "cost_band": "10k_50k", "plans": "local_plan"},
        notes="Cohérent avec le plan de mobilité de la vallée.",
    )
    base = live_server.url
    url = f"{base}/fr/staff/{project.slug}/c/{proposal.pk}/evaluation/"

    # The analyst has not scored yet: the manager's scores are not shown.
    _sign_in(page, live_server, province)
    page.goto(url)
    assert page.locator("table.scores").count() == 0
    assert page.locator(".notice[role=status]").count() == 1
    _shot(page, "evaluation-before-scoring", WIDTHS["phone"])
    # Keyboard: the relevance scale's radios, then the cost band's select.
    page.locator("input[name=score_relevance][value='2']").focus()
    page.keyboard.press("Space")
    page.select_option("select[name=score_cost_band]", "under_10k")
    page.locator("input[name=score_feasibility][value='4']").check()
    page.fill("textarea[name=notes]", "À chiffrer avec les services techniques.")
    page.locator(".evaluation-form button[type=submit]").click()
    page.wait_for_load_state()
    assert Evaluation.objects.get(evaluator=province).scores["relevance"] == 2

    rows = page.locator("table.scores tbody tr")
    assert page.locator("tr.disagrees").count() == 2  # relevance (5 vs 2) and cost band
    assert page.locator("tr[data-criterion=feasibility].disagrees").count() == 0
    assert rows.count() >= 6
    assert axe_violations(page) == []
    for name, width in WIDTHS.items():
        _shot(page, "side-by-side", width)
        if name == "phone":
            # The page itself never scrolls sideways; the table scrolls inside its box.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0

    _sign_in(page, live_server, manager)
    page.goto(f"{base}/fr/staff/{project.slug}/evaluation-grid/")
    assert page.locator("ol.criteria > li").count() == 6
    assert axe_violations(page) == []
    for width in WIDTHS.values():
        _shot(page, "grid", width)

    day = proposal.created_at.date()
    meeting = create_meeting(
        actor=manager,
        project=project,
        date=day + datetime.timedelta(days=30),
        period_start=day,
        period_end=day,
        title="Comité des partenaires",
    )
    page.goto(f"{base}/fr/staff/{project.slug}/meetings/{meeting.pk}/")
    assert page.locator(f"#proposal-{proposal.pk} .summary-lines .disagrees").count() == 2
    # Choosing an outcome puts its default answer in each language.
    form = page.locator(f"#proposal-{proposal.pk} form.decision-form")
    before = form.locator("textarea[lang=it]").input_value()
    form.locator("select[name=outcome]").select_option("not_kept")
    assert form.locator("textarea[lang=it]").input_value() != before
    assert axe_violations(page) == []
    for width in (WIDTHS["phone"], WIDTHS["desktop"]):
        _shot(page, "meeting", width)
    assert page.js_errors == []
