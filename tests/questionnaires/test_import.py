"""import_responses: an export read back into an empty questionnaire gives the same answers
(GeoPackage and CSV); refused rows are reported with their line, code and sentence and write
nothing; importing the same file twice stores each response once."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from questionnaires.models import Answer, MapAnswer, Questionnaire, Response
from tests.factories import make_user
from tests.questionnaires.results_data import (  # noqa: F401
    CLUSTER_SIZE,
    SCATTERED,
    build_questionnaire,
    survey,
)
from tests.questionnaires.test_exports import export

pytestmark = pytest.mark.django_db
TOTAL = CLUSTER_SIZE + SCATTERED


@pytest.fixture
def staff():
    return make_user(staff=True)


@pytest.fixture
def empty(survey):  # noqa: F811
    return build_questionnaire(survey.project, slug="travel-survey-copy")


def run(empty, path, staff, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_responses",
        str(path),
        "--questionnaire",
        f"{empty.project.slug}/{empty.slug}",
        "--entered-by",
        staff.username,
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def answers_of(questionnaire, key=lambda response: str(response.pk)):
    """{original response id: ({code: value}, {code: [(x, y, comment), ...]})}."""
    result = {}
    for response in Response.objects.filter(questionnaire=questionnaire):
        values = {
            a.question.code: a.value
            for a in Answer.objects.filter(response=response).select_related("question")
        }
        drawn = {}
        for m in (
            MapAnswer.objects.filter(response=response)
            .select_related("question")
            .order_by("position")
        ):
            coords = m.geometry.coords
            flat = [coords] if m.geometry.geom_type == "Point" else list(coords)
            drawn.setdefault(m.question.code, []).append(
                (tuple((round(x, 6), round(y, 6)) for x, y in flat), m.comment)
            )
        result[key(response)] = (values, drawn)
    return result


def imported_key(response):
    return response.client_key.removeprefix("import:")


@pytest.mark.parametrize(("fmt", "srid"), [("gpkg", 2154), ("csv", 4326)])
def test_round_trip_gives_the_same_answers(survey, empty, staff, tmp_path, fmt, srid):  # noqa: F811
    files = export(survey, tmp_path, fmt, srid=srid)
    path = next(p for p in files if p.endswith((".gpkg", "_answers.csv")))
    out, err = run(empty, path, staff)
    assert f"{TOTAL} responses imported, 0 already there, 0 refused" in out, err
    assert answers_of(empty, imported_key) == answers_of(survey)
    channels = set(Response.objects.filter(questionnaire=empty).values_list("channel", flat=True))
    assert channels == {"paper", "online"}  # each row's own channel, kept
    assert set(
        Response.objects.filter(questionnaire=empty).values_list("entered_by", flat=True)
    ) == {staff.pk}
    # Twice: nothing more.
    out, _err = run(empty, path, staff)
    assert f"0 responses imported, {TOTAL} already there" in out
    assert Response.objects.filter(questionnaire=empty).count() == TOTAL


def test_refused_rows_are_reported_and_write_nothing(survey, empty, staff, tmp_path):  # noqa: F811
    files = export(survey, tmp_path, "csv", srid=4326)
    answers = next(p for p in files if p.endswith("_answers.csv"))
    with open(answers, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    fields = list(rows[0])
    rows[0]["satisfaction"] = "99"  # line 2: outside the scale
    rows[1]["travel"] = "by-rocket"  # line 3: not a choice
    rows[2]["commune_code"] = "XX999"  # line 4: no such commune
    with open(answers, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fields)
        writer.writeheader()
        writer.writerows(rows)
    unsafe = next(p for p in files if p.endswith("_q_unsafe.csv"))
    with open(unsafe, encoding="utf-8", newline="") as stream:
        shapes = list(csv.DictReader(stream))
    moved = next(s for s in shapes if s["response_id"] == rows[3]["response_id"])
    moved["geometry"] = "POINT (2.35 48.85)"  # line 5: Paris, outside the perimeter
    with open(unsafe, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(shapes[0]))
        writer.writeheader()
        writer.writerows(shapes)
    with pytest.raises(CommandError, match="4 rows refused"):
        run(empty, answers, staff)
    stored = Response.objects.filter(questionnaire=empty)
    assert stored.count() == TOTAL - 4
    refused = {rows[k]["response_id"] for k in range(4)}
    assert not stored.filter(client_key__in=[f"import:{r}" for r in refused]).exists()
    assert (
        not MapAnswer.objects.filter(response__questionnaire=empty)
        .filter(response__client_key__in=[f"import:{r}" for r in refused])
        .exists()
    )


def test_the_report_names_line_code_and_sentence(survey, empty, staff, tmp_path):  # noqa: F811
    path = tmp_path / "one_answers.csv"
    path.write_text(
        "response_id,channel,language,submitted,travel,satisfaction\n"
        "a1b2c3d4,paper,it,2026-01-01,bus,3\n"
        "e5f6a7b8,paper,it,2026-01-01,bus,0\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(path),
            "--questionnaire",
            f"{empty.project.slug}/{empty.slug}",
            "--entered-by",
            staff.username,
            stdout=io.StringIO(),
            stderr=err,
        )
    (line,) = err.getvalue().strip().splitlines()
    assert line.startswith("line 3: out_of_scale: ") and "satisfaction" in line


def test_unreadable_files_and_unknown_questionnaires(survey, empty, staff, tmp_path):  # noqa: F811
    public = export(survey, tmp_path / "public", "gpkg", "--public", srid=4326)[0]
    with pytest.raises(CommandError, match="public"):
        run(empty, public, staff)
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"\x00not a geopackage")
    with pytest.raises(CommandError):
        run(empty, bad, staff)
    with pytest.raises(CommandError, match="No questionnaire"):
        call_command(
            "import_responses",
            str(bad),
            "--questionnaire",
            "nope/nope",
            "--entered-by",
            staff.username,
        )
    assert not Questionnaire.objects.get(pk=empty.pk).responses.exists()
