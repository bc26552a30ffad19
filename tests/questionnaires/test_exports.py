"""A questionnaire's exports as a GIS technician opens them: one layer per map question
(`q_<code>`) with its stored style, the answers table keyed by the response id, GeoJSON and
CSV files; the public variant generalised and unlinkable; QGIS opens every layer."""

import csv
import io
import json
import sqlite3
from pathlib import Path

import pyogrio
import pytest
from django.core.management import CommandError, call_command

from questionnaires.models import MapAnswer, Response
from tests.layers.test_exports import layers
from tests.layers.test_exports_qgis import run_qgis
from tests.questionnaires.results_data import CLUSTER_SIZE, SCATTERED, survey  # noqa: F401

pytestmark = pytest.mark.django_db
TOTAL = CLUSTER_SIZE + SCATTERED
MAP_LAYERS = {"q_unsafe": TOTAL, "q_route": SCATTERED}


def export(survey, folder, fmt, *args, srid=2154):  # noqa: F811
    out = io.StringIO()
    call_command(
        "export_layer",
        "--project",
        survey.project.slug,
        "--questionnaire",
        survey.slug,
        "--format",
        fmt,
        "--srid",
        str(srid),
        "--output",
        str(folder),
        *args,
        stdout=out,
    )
    return out.getvalue().split()


def test_geopackage_has_one_styled_layer_per_map_question(survey, tmp_path):  # noqa: F811
    (path,) = export(survey, tmp_path, "gpkg")
    summaries = layers(path)
    assert set(summaries) >= {*MAP_LAYERS, "answers", "communes", "perimeter"}
    for name, count in MAP_LAYERS.items():
        assert f"Feature Count: {count}" in summaries[name]
        assert "EPSG" in summaries[name] and "2154" in summaries[name]
    assert "Point" in summaries["q_unsafe"] and "Line String" in summaries["q_route"]
    with sqlite3.connect(path) as db:
        styled = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles"))
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert set(MAP_LAYERS) <= set(styled) and all("<qgis" in styled[n] for n in MAP_LAYERS)
    assert kinds["answers"] == "attributes"
    # The map layer carries the respondent's choice answers, for cross-tabulations.
    frame = pyogrio.read_dataframe(path, layer="q_unsafe")
    assert {"response_id", "question", "comment", "commune_code", "channel", "submitted"} <= set(
        frame.columns
    )
    assert {"travel", "modes"} <= set(frame.columns)
    assert (frame["travel"] == "bus").sum() == CLUSTER_SIZE + 10
    stored = {
        str(pk) for pk in Response.objects.filter(questionnaire=survey).values_list("pk", flat=True)
    }
    assert set(frame["response_id"]) == stored


def test_answers_table_is_keyed_by_response_id(survey, tmp_path):  # noqa: F811
    (path,) = export(survey, tmp_path, "gpkg")
    answers = pyogrio.read_dataframe(path, layer="answers", read_geometry=False)
    assert len(answers) == TOTAL and answers["response_id"].is_unique
    assert {"travel", "satisfaction", "trips", "modes"} <= set(answers.columns)
    assert "unsafe" not in answers.columns  # map answers are in their layers
    assert set(answers["modes"].dropna()) == {"walk;train", "bike"}
    assert answers["satisfaction"].dtype.kind == "i"


def test_geojson_and_csv_one_file_per_map_question(survey, tmp_path):  # noqa: F811
    files = export(survey, tmp_path / "geojson", "geojson", srid=4326)
    names = sorted(p.rsplit("/", 1)[1] for p in files if not p.endswith((".csvt", ".prj")))
    slug = f"{survey.project.slug}_{survey.slug}_staff"
    assert names == sorted(
        [f"{slug}_q_route.geojson", f"{slug}_q_unsafe.geojson", f"{slug}_answers.csv"]
    )
    unsafe = json.loads(
        Path(next(p for p in files if p.endswith("q_unsafe.geojson"))).read_text(encoding="utf-8")
    )
    assert len(unsafe["features"]) == TOTAL
    assert unsafe["features"][0]["geometry"]["type"] == "Point"
    files = export(survey, tmp_path / "csv", "csv")
    table = next(p for p in files if p.endswith("q_unsafe.csv"))
    rows = list(csv.DictReader(io.StringIO(Path(table).read_text(encoding="utf-8"))))
    assert len(rows) == TOTAL and rows[0]["geometry"].startswith("POINT")
    # Comments written as "=1+1" reach a spreadsheet as text, never a formula.
    assert all(not row["comment"].startswith("=") for row in rows)


def test_public_variant_is_generalised_and_unlinkable(survey, tmp_path):  # noqa: F811
    (path,) = export(survey, tmp_path, "gpkg", "--public", srid=4326)
    summaries = layers(path)
    assert "answers" not in summaries
    frame = pyogrio.read_dataframe(path, layer="q_unsafe")
    assert set(frame.columns) == {"id", "question", "commune_code", "commune_name", "geometry"}
    exact = {
        (round(g.x, 6), round(g.y, 6))
        for g in MapAnswer.objects.filter(
            question__questionnaire=survey, question__code="unsafe"
        ).values_list("geometry", flat=True)
    }
    public = {(round(g.x, 6), round(g.y, 6)) for g in frame.geometry}
    assert not exact & public  # no exact place left
    stored = {str(pk) for pk in MapAnswer.objects.values_list("pk", flat=True)}
    assert not set(frame["id"]) & stored


def test_unknown_questionnaire_and_format_are_refused(survey, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="no questionnaire"):
        call_command(
            "export_layer",
            "--project",
            survey.project.slug,
            "--questionnaire",
            "nope",
            "--format",
            "gpkg",
            "--srid",
            "4326",
            "--output",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="exports as"):
        export(survey, tmp_path, "shp")


INSPECT = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
report = {}
for name in sys.argv[2].split(","):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    renderer = layer.renderer() if layer.isValid() else None
    report[name] = {
        "valid": layer.isValid(),
        "renderer": type(renderer).__name__ if renderer else None,
        "count": layer.featureCount(),
        "geometry": layer.geometryType(),
        "crs": layer.crs().authid(),
        "title": layer.metadata().title(),
    }
print(json.dumps(report), flush=True)
os._exit(0)
"""


def test_qgis_opens_one_layer_per_map_question(survey, tmp_path):  # noqa: F811
    (path,) = export(survey, tmp_path, "gpkg")
    report = run_qgis(INSPECT, path, ",".join(MAP_LAYERS))
    for name, count in MAP_LAYERS.items():
        layer = report[name]
        assert layer["valid"] and layer["count"] == count
        assert layer["renderer"] == "QgsSingleSymbolRenderer"
        assert layer["crs"] == "EPSG:2154"
        assert layer["title"].startswith(name[2:])
    assert report["q_unsafe"]["geometry"] == 0 and report["q_route"]["geometry"] == 1
