"""The partners' projects in a real browser: a manager writes four projects with photos in
French and Italian (the place drawn on the map), reads the coverage warning naming the theme
none of them covers, adds a fifth for it, and opens the vote; a workshop tablet (1024x768)
records three paper ballots, checked in the database. Screenshots land in
artifacts/screenshots/partner-projects-staff/ for a person to look at."""

import datetime
from pathlib import Path

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.test import Client
from django.utils import timezone

from contributions.models import PartnerProject, PartnerVote
from contributions.services import partner_projects as services
from core.i18n import localized
from mapping.demo import load_demo
from staff.models import Role
from tests import factories
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "partner-projects-staff"
MAP = ".place-map .leaflet-container"


@pytest.fixture
def demo_live(live_server):
    return live_server.url, load_demo()


def session_for(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def open_page(browser, base, user, width, height, *, touch=False):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": height}, has_touch=touch
    )
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": session_for(user), "url": base}])
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.add_init_script(
        "window.addEventListener('map:init', (e) => { window.testMap = e.detail.map; });"
    )
    return page


def shot(page, name, *, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def spots(project, count):
    """Points inside distinct communes of the perimeter, far apart (every fifth commune)."""
    communes = project.perimeter.members.annotate(spot=PointOnSurface("geom")).order_by("name")
    return [commune.spot for commune in list(communes)[::5][:count]]


def draw_point(page, spot):
    page.wait_for_function("() => window.testMap && window.testMap._loaded")
    page.locator(".leaflet-draw-draw-marker").click()
    where = page.evaluate(
        "([lat, lng]) => window.testMap.latLngToContainerPoint([lat, lng])", [spot.y, spot.x]
    )
    page.locator(MAP).click(position={"x": where["x"], "y": where["y"]})


def add_photo(page, n, tmp_path):
    path = tmp_path / f"photo-{n}.jpg"
    path.write_bytes(factories.jpeg_bytes(size=(64, 48)))
    page.set_input_files("#id_photo", str(path))
    page.fill("#id_credit", "Comune di Sanremo")
    page.fill("#id_alt_fr", f"Vue du lieu du projet {n}")
    page.fill("#id_alt_it", f"Veduta del luogo del progetto {n}")
    with page.expect_navigation():
        page.locator("#partner-photo-form button[type=submit]").click()


def test_a_manager_writes_five_projects_sees_the_gap_and_opens_the_vote(
    browser, demo_live, tmp_path
):
    base, project = demo_live
    manager = give_role(make_user("partner-manager"), project, Role.MANAGER)
    themes = list(project.themes.order_by("position", "pk"))
    places = spots(project, 5)
    page = open_page(browser, base, manager, 1280, 900)

    # Four projects on three themes: the fourth theme has none.
    for n, theme in enumerate([themes[0], themes[0], themes[1], themes[2]], start=1):
        page.goto(f"{base}/fr/staff/{project.slug}/partner-projects/new/")
        page.fill("#id_title_fr", f"Projet {n} des partenaires")
        page.fill("#id_title_it", f"Progetto {n} dei partner")
        page.fill("#id_description_fr", f"Description du projet {n}.")
        page.fill("#id_description_it", f"Descrizione del progetto {n}.")
        page.fill("#id_timeline_fr", "2027-2029")
        page.fill("#id_timeline_it", "2027-2029")
        page.locator(f"#id_theme input[value='{theme.pk}']").check()
        page.select_option("#id_cost_band", "100k_500k")
        page.fill("#id_links", "https://example.org/etude.pdf Étude")
        page.check("#id_published")
        draw_point(page, places[n - 1])
        if n == 1:
            shot(page, "form-desktop-filled-in")
        with page.expect_navigation():
            page.locator("#partner-project-form button[type=submit]").click()
        assert "/partner-projects/new/" not in page.url, page.content()[:3000]
        add_photo(page, n, tmp_path)
        if n == 1:
            shot(page, "form-desktop-with-photo", full=True)

    items = PartnerProject.objects.filter(project=project)
    assert items.count() == 4 and all(item.published for item in items)
    for item in items:
        assert set(item.title) == {"fr", "it"} and set(item.description) == {"fr", "it"}
        photo = item.photos.get()
        assert set(photo.alt) == {"fr", "it"} and photo.credit == "Comune di Sanremo"
        assert item.location.geom_type == "Point"
        assert project.perimeter.geom.buffer(0.001).contains(item.location)

    # The coverage page, then the opening form: the uncovered theme is named.
    page.goto(f"{base}/fr/staff/{project.slug}/partner-projects/coverage/")
    page.wait_for_selector("#coverage-map .leaflet-interactive")
    shot(page, "coverage-desktop")
    missing = localized(themes[3].name, "fr")
    assert missing in page.locator("#coverage-warning .uncovered-themes").inner_text()
    assert page.locator("#coverage-themes tr.is-uncovered").count() == 1
    page.goto(f"{base}/fr/staff/{project.slug}/partner-projects/vote/")
    assert missing in page.locator("#coverage-warning").inner_text()
    shot(page, "open-vote-with-gaps", full=True)
    # Opening without confirming is refused, and says why.
    page.locator("#id_mode input[value=for_against]").check()
    with page.expect_navigation():
        page.locator("#partner-vote-form button[type=submit]").click()
    assert page.locator("#error-code").get_attribute("data-code") == "coverage_gaps"
    project.refresh_from_db()
    assert project.partner_vote_state() == "not_set"

    # A fifth project for the missing theme.
    page.goto(f"{base}/fr/staff/{project.slug}/partner-projects/new/")
    page.fill("#id_title_fr", "Projet 5 des partenaires")
    page.fill("#id_title_it", "Progetto 5 dei partner")
    page.locator(f"#id_theme input[value='{themes[3].pk}']").check()
    page.check("#id_published")
    draw_point(page, places[4])
    with page.expect_navigation():
        page.locator("#partner-project-form button[type=submit]").click()
    add_photo(page, 5, tmp_path)

    page.goto(f"{base}/fr/staff/{project.slug}/partner-projects/vote/")
    assert page.locator("#coverage-warning .uncovered-themes").count() == 0
    page.locator("#id_mode input[value=for_against]").check()
    # Communes are still uncovered: the confirmation is asked for.
    page.check("#id_confirm_gaps")
    with page.expect_navigation():
        page.locator("#partner-vote-form button[type=submit]").click()
    project.refresh_from_db()
    assert project.partner_vote_is_open()
    assert project.partner_vote_mode == "for_against"
    assert PartnerProject.objects.filter(project=project, published=True).count() == 5
    shot(page, "list-desktop", full=True)
    assert page.js_errors == []

    # The same pages on a 360 px phone.
    phone = open_page(browser, base, manager, 360, 740, touch=True)
    for name, path in (
        ("list-360", "partner-projects/"),
        ("coverage-360", "partner-projects/coverage/"),
        ("form-360", f"partner-projects/{items.first().pk}/"),
    ):
        phone.goto(f"{base}/fr/staff/{project.slug}/{path}")
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360, name
        shot(phone, name, full=True)
    assert phone.js_errors == []


def test_a_workshop_tablet_records_three_paper_ballots(browser, demo_live):
    base, project = demo_live
    moderator = give_role(make_user("atelier"), project, Role.MODERATOR)
    themes = list(project.themes.order_by("position", "pk"))
    places = spots(project, 3)
    items = [
        services.save_partner_project(
            project=project,
            title={"fr": f"Projet {n}", "it": f"Progetto {n}"},
            location=places[n],
            theme=themes[n],
            published=True,
        )
        for n in range(3)
    ]
    now = timezone.now()
    services.open_partner_vote(
        project=project,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=2),
        confirm_gaps=True,
    )
    commune = project.perimeter.members.order_by("name").first()
    page = open_page(browser, base, moderator, 1024, 768, touch=True)
    url = f"{base}/fr/staff/{project.slug}/partner-projects/ballots/"
    page.goto(url)
    shot(page, "ballots-1024x768")
    ballots = [
        {items[0]: "1", items[1]: "-1"},
        {items[0]: "1", items[2]: "1"},
        {items[1]: "-1"},
    ]
    for n, ballot in enumerate(ballots):
        if n == 0:
            page.locator("#id_channel input[value=workshop]").tap()
            page.select_option("#id_commune", str(commune.pk))
        for item, value in ballot.items():
            page.locator(f"#id_vote_{item.pk} input[value='{value}']").tap()
        save = page.locator("#ballot-form button[type=submit]")
        box = save.bounding_box()
        assert box["y"] + box["height"] <= 768 or n > 0
        with page.expect_navigation():
            save.tap()
        assert page.locator(".messages").count() == 1
        # The channel stays chosen for the next ballot.
        assert page.locator("#id_channel input[value=workshop]").is_checked()
        if n == 0:
            shot(page, "ballots-1024x768-after-saving")

    votes = PartnerVote.objects.filter(project=project)
    assert votes.count() == 5
    assert votes.values("participant").distinct().count() == 3
    assert {v.channel for v in votes} == {"workshop"}
    assert {v.entered_by for v in votes} == {moderator}
    assert all(v.participant.startswith("ballot:") for v in votes)
    assert votes.filter(commune=commune).count() == 2  # the first ballot's two votes
    counts = {item.pk: votes.filter(partner_project=item).count() for item in items}
    assert counts == {items[0].pk: 2, items[1].pk: 2, items[2].pk: 1}
    assert votes.filter(partner_project=items[1], value=-1).count() == 2
    assert page.js_errors == []
