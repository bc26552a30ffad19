"""The workspace's questionnaire results page and its downloads: every figure as
questionnaires.results computes it, the small-group rule, exports with one layer per map
question, roles, and bad parameters answered with a code."""

import io
import re
import tempfile
import uuid
import zipfile
from pathlib import Path

import pyogrio
import pytest
from django.urls import reverse

from questionnaires import results
from questionnaires.models import Question, Questionnaire, QuestionPage
from questionnaires.services import submit_response
from tests.questionnaires.results_data import survey  # noqa: F401
from tests.staff.conftest import give_role, make_user

pytestmark = pytest.mark.django_db
MAP_LAYERS = {"q_unsafe", "q_route"}


def page_url(questionnaire):
    return reverse(
        "staff:questionnaire-results", args=[questionnaire.project.slug, questionnaire.pk]
    )


def download_url(questionnaire):
    return reverse(
        "staff:questionnaire-download", args=[questionnaire.project.slug, questionnaire.pk]
    )


def section(html, code):
    match = re.search(rf'<section class="qr-question" data-code="{code}".*?</section>', html, re.S)
    assert match, code
    return match.group(0)


def test_page_shows_the_figures_of_questionnaires_results(client, survey, analyst):  # noqa: F811
    client.force_login(analyst)
    response = client.get(page_url(survey), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-figure="responses">{results.response_count(survey)}<' in html
    for n in results.responses_by_channel(survey).values():
        assert f'data-channel-count="{n}"' in html
    assert sum(results.responses_by_channel(survey).values()) == results.response_count(survey)
    for summary in results.question_summaries(survey, "en"):
        block = section(html, summary.code)
        assert f'data-figure="answered" data-value="{summary.answered}"' in block
        for choice in summary.choices:
            assert f'data-value="{choice["value"]}" data-count="{choice["count"]}"' in block
        if summary.mean is not None:
            assert f'data-figure="mean" data-value="{summary.mean}"' in block
            assert f'data-figure="median" data-value="{summary.median}"' in block
        if summary.map_answers is not None:
            assert f'data-figure="map_answers" data-value="{summary.map_answers}"' in block
    for row in results.commune_rates(survey):
        if row["responses"]:
            assert f'data-responses="{row["responses"]}"' in html
    # No individual response: no response id, no comment.
    assert "spot 1" not in html
    assert str(survey.responses.first().pk) not in html


def test_cross_tab_form_picks_both_questions(client, survey, manager):  # noqa: F811
    client.force_login(manager)
    response = client.get(page_url(survey), {"map": "route", "by": "travel"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-map="route" data-choice="travel"' in html
    for group in results.cross_tab(survey, "route", "travel")["groups"]:
        assert (
            f'data-value="{group["value"]}" data-respondents="{group["respondents"]}" '
            f'data-map-answers="{group["map_answers"]}"'
        ) in html
    bad = client.get(page_url(survey), {"map": "travel", "by": "nope"})
    assert bad.status_code == 400
    assert 'data-code="invalid_question"' in bad.content.decode()


def test_personal_question_with_fewer_than_five_answers_shows_no_distribution(
    client, demo, analyst
):
    questionnaire = Questionnaire.objects.create(
        project=demo,
        slug=f"small-{uuid.uuid4().hex[:6]}",
        title={"en": "Small"},
        published=True,
        allow_anonymous=True,
    )
    page = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    Question.objects.create(
        questionnaire=questionnaire,
        page=page,
        position=0,
        code="age",
        kind="single_choice",
        text={"en": "Age group"},
        personal=True,
        choices=[{"value": v, "label": {"en": v}} for v in ("young", "old")],
    )
    for k in range(3):
        submit_response(
            questionnaire=questionnaire,
            answers={"age": "young" if k else "old"},
            client_key=str(uuid.uuid4()),
            language="en",
        )
    client.force_login(analyst)
    html = client.get(page_url(questionnaire)).content.decode()
    block = section(html, "age")
    assert 'data-suppressed="question"' in block
    assert "data-distribution" not in block and "data-count" not in block
    assert results.question_summaries(questionnaire)[0].suppressed


def _download(client, questionnaire, **params):
    response = client.get(download_url(questionnaire), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Cache-Control"] == "private, no-store"
    return response, b"".join(response.streaming_content)


def test_geopackage_has_one_layer_per_map_question(client, survey, analyst):  # noqa: F811
    client.force_login(analyst)
    response, body = _download(client, survey, format="gpkg", srid="2154")
    assert "_staff_EPSG2154.gpkg" in response["Content-Disposition"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.gpkg"
        path.write_bytes(body)
        layers = {name for name, _kind in pyogrio.list_layers(path)}
        assert MAP_LAYERS | {"answers"} <= layers
        assert pyogrio.read_info(path, layer="q_unsafe")["crs"] == "EPSG:2154"
        drawn = {s.code: s.map_answers for s in results.question_summaries(survey)}
        for code in ("unsafe", "route"):
            assert pyogrio.read_info(path, layer=f"q_{code}")["features"] == drawn[code]


@pytest.mark.parametrize("fmt,ext", [("geojson.zip", ".geojson"), ("csv.zip", ".csv")])
def test_zips_hold_a_file_per_map_question_and_the_answers(
    client,
    survey,  # noqa: F811
    manager,
    fmt,
    ext,
):
    client.force_login(manager)
    response, body = _download(client, survey, format=fmt, srid="4326")
    assert response["Content-Type"] == "application/zip"
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(folder)
        names = archive.namelist()
        maps = [n for n in names if n.endswith(ext) and "_q_" in n]
        assert {n.split("_staff_")[1].removesuffix(ext) for n in maps} == MAP_LAYERS
        assert any(n.endswith("_answers.csv") for n in names)
        for name in maps:
            assert len(pyogrio.list_layers(Path(folder) / name)) == 1


@pytest.mark.parametrize(
    "params,code",
    [
        ({"format": "shp"}, "invalid_format"),
        ({"format": "gpkg", "srid": "abc"}, "invalid_srid"),
        ({"format": "gpkg", "crs": "EPSG:999999"}, "invalid_srid"),
        ({"format": "geojson.zip", "srid": "2154"}, "invalid_srid"),
    ],
)
def test_bad_parameters_get_a_4xx_with_a_code(client, survey, analyst, params, code):  # noqa: F811
    client.force_login(analyst)
    response = client.get(download_url(survey), params)
    assert 400 <= response.status_code < 500
    assert f'data-code="{code}"' in response.content.decode()


def test_roles(client, survey, moderator, other_project):  # noqa: F811
    for url in (page_url(survey), download_url(survey) + "?format=gpkg"):
        client.logout()
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
        client.force_login(make_user(f"resident-{uuid.uuid4().hex[:6]}"))
        assert client.get(url).status_code == 404
        other = give_role(make_user(f"b-{uuid.uuid4().hex[:6]}"), other_project, "manager")
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(moderator)
    assert client.get(page_url(survey)).status_code == 200


def test_builder_links_to_the_results(client, survey, manager):  # noqa: F811
    client.force_login(manager)
    html = client.get(
        reverse("staff:questionnaire", args=[survey.project.slug, survey.pk])
    ).content.decode()
    assert page_url(survey) in html
