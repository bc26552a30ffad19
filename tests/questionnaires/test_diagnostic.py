"""The diagnostic's questionnaire section: per-question summaries equal to
questionnaires.results', per-commune response rates, a density raster and Gi* squares per map
question, a hot spot where a cluster of map answers was planted, and the cross-tabulation; in
the report (fr, it, en) and in questionnaires.json."""

import json
import math

import pytest
import rasterio
from bs4 import BeautifulSoup

from contributions.filters import ContributionFilters
from layers.diagnostic import bundle
from questionnaires import results
from tests.conftest import ARTIFACTS
from tests.questionnaires.results_data import CLUSTER_SIZE, SCATTERED, survey  # noqa: F401

pytestmark = pytest.mark.django_db
TOTAL = CLUSTER_SIZE + SCATTERED


@pytest.fixture(scope="module")
def bundles(survey, tmp_path_factory, django_db_blocker):  # noqa: F811
    folders = {}
    with django_db_blocker.unblock():
        for language in ("fr", "it", "en"):
            folder = tmp_path_factory.mktemp("diagnostic") / language
            bundle.run(
                project=survey.project,
                filters=ContributionFilters(),
                output=folder,
                language=language,
                qgis=False,
            )
            folders[language] = folder
    return folders


def written(folder, slug):
    """The survey's entry in questionnaires.json (the demo has a questionnaire of its own)."""
    entries = json.loads((folder / "questionnaires" / "questionnaires.json").read_text("utf-8"))
    return [entry for entry in entries if entry["slug"] == slug]


def test_summaries_are_the_results_own(survey, bundles):  # noqa: F811
    (entry,) = written(bundles["en"], survey.slug)
    assert entry["slug"] == survey.slug and entry["responses"] == TOTAL
    expected = [s.as_dict() for s in results.question_summaries(survey, "en")]
    assert entry["questions"] == json.loads(json.dumps(expected))
    assert sum(row["responses"] for row in entry["communes"]) == TOTAL


def test_planted_cluster_is_a_hot_spot(survey, bundles):  # noqa: F811
    (entry,) = written(bundles["en"], survey.slug)
    unsafe = entry["maps"]["unsafe"]
    assert unsafe["placed"] == TOTAL
    assert unsafe["hot_squares"] >= 1 and unsafe["in_hot_squares"] >= CLUSTER_SIZE // 2
    centre = survey.centre
    nearest = min(math.dist((lon, lat), (centre.x, centre.y)) for lon, lat in unsafe["hot_centres"])
    assert nearest < 0.03  # degrees: within about 2 km of the planted cluster
    folder = bundles["en"]
    with rasterio.open(folder / unsafe["density_file"]) as raster:
        values = raster.read(1)
        cell_km2 = (raster.res[0] / 1000) ** 2
        total = float(values[values != raster.nodata].sum()) * cell_km2
    assert total == pytest.approx(TOTAL, rel=0.02)
    squares = json.loads((folder / unsafe["gi_file"]).read_text("utf-8"))
    assert any(f["properties"]["kind"] == "hot" for f in squares["features"])


def test_cross_tab_in_the_bundle(survey, bundles):  # noqa: F811
    (entry,) = written(bundles["en"], survey.slug)
    tables = {(t["map_question"], t["choice_question"]): t for t in entry["cross_tabs"]}
    assert set(tables) == {
        ("unsafe", "travel"),
        ("unsafe", "modes"),
        ("route", "travel"),
        ("route", "modes"),
    }
    bus = next(g for g in tables["unsafe", "travel"]["groups"] if g["value"] == "bus")
    assert bus["respondents"] == CLUSTER_SIZE + 10


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_report_has_the_section(survey, bundles, language):  # noqa: F811
    html = (bundles[language] / "report.html").read_text("utf-8")
    page = BeautifulSoup(html, "html.parser")
    assert page.html["lang"] == language
    section = page.find(id=f"questionnaire-{survey.slug}")
    assert section is not None
    codes = [row["data-code"] for row in section.select("table.questionnaire-questions tbody tr")]
    assert codes == ["travel", "satisfaction", "trips", "modes", "unsafe", "route"]
    hot = section.select_one('.gi-hot[data-code="unsafe"]')
    assert int(hot["data-hot"]) >= 1
    assert section.select('table.questionnaire-cross-tab[data-map="unsafe"][data-choice="travel"]')
    assert "<script>alert(1)</script>" not in html  # the hostile title comes out escaped


def test_a_project_without_responses_has_no_folder(survey, tmp_path, django_db_blocker):  # noqa: F811
    from questionnaires.models import Response

    Response.objects.filter(questionnaire=survey).delete()
    folder = tmp_path / "empty"
    bundle.run(project=survey.project, filters=ContributionFilters(), output=folder, qgis=False)
    assert not (folder / "questionnaires").exists()
    assert 'id="questionnaires"' not in (folder / "report.html").read_text("utf-8")


def test_section_reads_on_a_phone_and_a_desktop(survey, bundles, page):  # noqa: F811
    folder = ARTIFACTS / "screenshots" / "questionnaire-results"
    folder.mkdir(parents=True, exist_ok=True)
    for width, name in ((360, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto((bundles["it"] / "report.html").as_uri())
        section = page.locator(f"#questionnaire-{survey.slug}")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(folder / f"report-section-{name}-it.png"))
        # Nothing in the section is wider than the page.
        overflow = section.evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 1, (name, overflow)
