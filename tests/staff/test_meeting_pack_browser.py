"""The meeting pack in Chromium at a projector's size (1280x800) and on a phone, moved
through with the arrow keys, and its PDF's pages rendered by pdftoppm: screenshots land in
artifacts/screenshots/meeting_pack/ for a person to look at."""

import random
import subprocess
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contributions.models import Contribution, ProjectPartner, Status
from mapping.demo import load_demo
from staff.models import Evaluation, EvaluationCriterion, Role
from tests.conftest import ARTIFACTS
from tests.factories import make_comment
from tests.staff.conftest import give_role, make_user
from tests.staff.test_meeting_pack import PERIOD, build_pack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FOLDER = ARTIFACTS / "screenshots" / "meeting_pack"


def _evaluate_demo(project):
    """The demo's last month of proposals, scored by two partners on the project's grid."""
    end = timezone.localdate()
    start = end - timedelta(days=30)
    proposals = list(
        Contribution.objects.filter(
            project=project,
            kind="proposal",
            status=Status.PUBLISHED,
            created_at__date__gte=start,
        ).order_by("created_at")[:12]
    )
    criteria = list(EvaluationCriterion.objects.filter(project=project, active=True))
    partners = [
        ProjectPartner.objects.create(project=project, name=name, position=n)
        for n, name in enumerate(("Département des Alpes-Maritimes", "Provincia di Imperia"))
    ]
    people = [
        give_role(
            make_user(f"partner-{n}", first_name="Évaluatrice", last_name=str(n)),
            project,
            Role.ANALYST,
        )
        for n in (1, 2)
    ]
    chance = random.Random(31)
    for proposal in proposals:
        make_comment(proposal, body="Bonne idée, le carrefour est dangereux le matin.")
        for person, partner in zip(people, partners, strict=True):
            scores = {}
            for c in criteria:
                if c.is_scale:
                    scores[c.code] = chance.randint(c.scale_min, c.scale_max)
                elif c.choices:
                    scores[c.code] = chance.choice(c.choices)["value"]
            Evaluation.objects.create(
                project=project,
                contribution=proposal,
                evaluator=person,
                partner=partner,
                scores=scores,
                notes="À revoir avec le service voirie.",
            )
    return f"start={start.isoformat()}&end={end.isoformat()}"


def _sign_in(browser, base, user, *, width, height, locale="fr-FR"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    context.set_default_timeout(20_000)
    return context


def test_the_pack_on_a_projector_on_a_phone_and_on_paper(browser, live_server):
    FOLDER.mkdir(parents=True, exist_ok=True)
    project = load_demo()
    build_pack(project)
    demo_period = _evaluate_demo(project)
    manager = give_role(make_user("pack-manager"), project, Role.MANAGER)
    base = live_server.url

    context = _sign_in(browser, base, manager, width=1280, height=800)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/fr/staff/{project.slug}/meeting-pack/?{demo_period}")
    page.screenshot(path=str(FOLDER / "projector-1-title.png"))
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    page.screenshot(path=str(FOLDER / "projector-2-overview.png"))
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    page.screenshot(path=str(FOLDER / "projector-3-list.png"))
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.classList.contains('proposal')")
    assert page.locator("[data-position]").inner_text().startswith("4 /")
    page.screenshot(path=str(FOLDER / "projector-4-proposal.png"))
    disputed = page.locator(".proposal:has(.disagreement-count)").first.get_attribute("id")
    page.goto(f"{base}/fr/staff/{project.slug}/meeting-pack/?{demo_period}#{disputed}")
    page.wait_for_timeout(300)
    page.screenshot(path=str(FOLDER / "projector-5-disagreements.png"))
    page.goto(f"{base}/it/staff/{project.slug}/meeting-pack/?{PERIOD}&edition=staff#p1")
    page.wait_for_timeout(300)
    page.screenshot(path=str(FOLDER / "projector-6-staff-edition-it.png"))
    assert not errors, errors
    context.close()

    phone = _sign_in(browser, base, manager, width=360, height=740)
    page = phone.new_page()
    page.goto(f"{base}/fr/staff/{project.slug}/meeting-pack/?{demo_period}#p1")
    page.wait_for_timeout(300)
    page.screenshot(path=str(FOLDER / "phone-proposal.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px phone"
    page.goto(f"{base}/fr/staff/{project.slug}/meeting-pack/")
    page.screenshot(path=str(FOLDER / "phone-choose.png"), full_page=True)
    page.goto(f"{base}/fr/staff/{project.slug}/meeting-pack/?start=2019-03-31&end=2019-03-01")
    page.screenshot(path=str(FOLDER / "phone-error.png"), full_page=True)
    phone.close()

    client = Client()
    client.force_login(manager)
    began = time.monotonic()
    response = client.get(f"/fr/staff/{project.slug}/meeting-pack.pdf?{demo_period}")
    seconds = time.monotonic() - began
    assert response.status_code == 200
    pdf = FOLDER / "pack-fr.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    (FOLDER / "timing.txt").write_text(
        f"PDF of the demo's last 30 days of proposals: {pages} pages, "
        f"{len(response.content) // 1024} KiB, built in {seconds:.1f} s\n"
    )
    for old in FOLDER.glob("pdf-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-l", "8", str(pdf), str(FOLDER / "pdf-page")], check=True
    )
    pdf.unlink()
    assert len(list(FOLDER.glob("pdf-page-*.png"))) >= 4
