"""The diagnostic report's section on the vote on the partners' projects, in French, Italian
and English: the state of the vote, turnout, the ranking (the counts the vote rows give),
by theme, by commune of residence with small groups left out, and the map of the projects;
in report.html and in the PDF. The PDF's page is kept under artifacts/screenshots."""

import io
import re
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from contributions.models import PartnerVote
from contributions.services import upsert_project
from layers.diagnostic import report_partner
from layers.diagnostic.report_data import ReportData
from tests.conftest import ARTIFACTS, need
from tests.consistency.outputs.partner import _cells, _int
from tests.consistency.partner_seed import ENTERED_BY, MENTON, VENTIMIGLIA, seed_partner_vote
from tests.consistency.partner_truth import truth

pytestmark = pytest.mark.django_db
LANGUAGES = ("fr", "it", "en")
TITLES = {"fr": "Abri de bus", "it": "Pensilina", "en": "Abri de bus"}  # fr is the main one
SHOTS = ARTIFACTS / "screenshots" / "partner-projects"


@pytest.fixture(scope="module")
def reports(demo, tmp_path_factory, django_db_blocker):
    need(subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0, "poppler")
    with django_db_blocker.unblock():
        world = seed_partner_vote(demo)
        world.project.refresh_from_db()
        expected = truth(world.project)
        folders = {}
        for language in LANGUAGES:
            folder = tmp_path_factory.mktemp("partner-report") / language
            call_command(
                "diagnostic",
                *("--project", demo.slug, "--output", str(folder)),
                *("--no-progress", "--language", language),
                stdout=io.StringIO(),
            )
            folders[language] = folder
    yield world, expected, folders
    with django_db_blocker.unblock():
        PartnerVote.objects.filter(project=demo).delete()
        demo.partner_projects.all().delete()
        demo.partners.all().delete()
        get_user_model().objects.filter(username=ENTERED_BY).delete()


def _section(folder) -> str:
    html = (folder / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="partner-projects"')
    return html, html[start : html.index("</section>", start)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_has_the_section_with_the_rows_counts(reports, language):
    _world, expected, folders = reports
    html, section = _section(folders[language])
    assert f'<html lang="{language}">' in html
    ranking = section[section.index('class="partner-ranking"') :]
    ranking = ranking[: ranking.index("</table>")]
    rows = _cells(ranking, "id")
    assert {pk: (_int(c[5]), _int(c[3]), _int(c[4]), _int(c[0])) for pk, c in rows.items()} == (
        expected.projects
    )
    # Best rank first, the titles in the report's language (else the project's main one).
    ranks = [_int(c[0]) for c in rows.values()]
    assert ranks == sorted(ranks)
    assert TITLES[language] in section
    assert set(_cells(section, "code")) == {MENTON}  # Ventimiglia's three are left out
    assert VENTIMIGLIA not in section
    assert {slug: _int(c[3]) for slug, c in _cells(section, "theme").items()} == expected.themes
    assert re.search(r'id="partner-turnout" data-participants="(\d+)"', section)[1] == str(
        expected.participants
    )
    assert '<img class="map" src="data:image/png;base64,' in section


def _titles(language):
    """The seed's partner projects' titles in a report's language (else French)."""
    return (
        ["Pensilina", "Sentiero costiero", "Casa della salute", "Mercato coperto"]
        if language == "it"
        else ["Abri de bus", "Sentier du littoral", "Maison de santé", "Marché couvert"]
    )


def test_the_pdf_shows_the_section_and_its_page_is_kept(reports):
    _world, _expected, folders = reports
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        pdf = folders[language] / "report.pdf"
        pages = int(
            re.search(
                r"Pages:\s+(\d+)",
                subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout,
            )[1]
        )
        found = None
        for page in range(1, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                capture_output=True,
                text=True,
            ).stdout
            if any(title in text for title in _titles(language)):
                found = page
                break
        assert found, f"no page of the {language} PDF shows the partner projects' ranking"
        for old in SHOTS.glob(f"diagnostic-{language}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", str(found), "-l", str(found + 1)]
            + [str(pdf), str(SHOTS / f"diagnostic-{language}")],
            check=True,
        )


def test_no_section_without_partner_projects(demo):
    data = ReportData(
        summary={},
        title="",
        themes=[],
        weeks=[],
        raster=None,
        found=None,
        communes=[],
        area_rows=[],
        generated=timezone.now(),
    )
    assert report_partner.partner_section(data) is None
    _created, other = upsert_project(
        slug="no-partner-projects",
        perimeter=demo.perimeter,
        themes=[{"slug": "roads", "name": {"fr": "Routes"}}],
        title={"fr": "Sans projets des partenaires"},
    )
    assert report_partner.partner_data(other, "fr") is None
