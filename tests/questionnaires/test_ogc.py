"""Map questions as OGC API - Features collections: generalised places, no link between the
answers of one response, every CRS the API offers; GDAL's OAPIF driver reads them."""

import json
import subprocess

import pytest

from layers import ogc_crs
from layers.ogc_questionnaires import collection_id
from questionnaires.models import MapAnswer, Question, Questionnaire
from tests.questionnaires.results_data import CLUSTER_SIZE, SCATTERED, survey  # noqa: F401

pytestmark = pytest.mark.django_db
TOTAL = CLUSTER_SIZE + SCATTERED


def question(survey, code):  # noqa: F811
    return Question.objects.select_related("questionnaire__project").get(
        questionnaire=survey, code=code
    )


def items(client, identifier, **query):
    response = client.get(f"/ogc/collections/{identifier}/items", query)
    assert response.status_code == 200, response.content[:500]
    return response, json.loads(response.content)


def test_collection_and_items_are_generalised_and_unlinkable(client, survey):  # noqa: F811
    identifier = collection_id(question(survey, "unsafe"))
    assert identifier == f"{survey.project.slug}-q-{survey.slug}-unsafe"
    data = client.get(f"/ogc/collections/{identifier}").json()
    assert data["id"] == identifier and ogc_crs.CRS84_URI in data["crs"]
    response, page = items(client, identifier, limit=1000)
    assert page["numberMatched"] == TOTAL == len(page["features"])
    feature = page["features"][0]
    assert set(feature["properties"]) == {"question", "commune", "commune_name"}
    exact = {
        (round(g.x, 6), round(g.y, 6))
        for g in MapAnswer.objects.filter(question__code="unsafe").values_list(
            "geometry", flat=True
        )
    }
    public = {tuple(round(c, 6) for c in f["geometry"]["coordinates"]) for f in page["features"]}
    assert not exact & public
    one = client.get(f"/ogc/collections/{identifier}/items/{feature['id']}")
    assert one.status_code == 200 and json.loads(one.content)["id"] == feature["id"]


def test_collections_list_the_public_map_questions(client, survey):  # noqa: F811
    listed = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
    slug = f"{survey.project.slug}-q-{survey.slug}"
    assert {f"{slug}-unsafe", f"{slug}-route"} <= listed
    assert f"{slug}-travel" not in listed  # not a map question


def test_paging_bbox_and_crs(client, survey):  # noqa: F811
    identifier = collection_id(question(survey, "route"))
    _response, first = items(client, identifier, limit=10)
    assert first["numberReturned"] == 10 and first["numberMatched"] == SCATTERED
    assert any(link["rel"] == "next" for link in first["links"])
    lambert = ogc_crs.EPSG_URI + "2154"
    response, projected = items(client, identifier, limit=1, crs=lambert)
    assert response["Content-Crs"] == f"<{lambert}>"
    x, _y = projected["features"][0]["geometry"]["coordinates"][0]
    assert x > 100_000  # metres, not degrees
    _response, none = items(client, identifier, bbox="0,0,0.1,0.1")
    assert none["numberMatched"] == 0
    schema = client.get(f"/ogc/collections/{identifier}/queryables").json()
    commune = first["features"][0]["properties"]["commune"]
    assert commune in schema["properties"]["commune"]["enum"]
    _response, in_commune = items(client, identifier, commune=commune, limit=1000)
    assert in_commune["numberMatched"] >= 1
    assert {f["properties"]["commune"] for f in in_commune["features"]} == {commune}


def test_personal_unpublished_and_unknown_have_no_collection(client, survey):  # noqa: F811
    Question.objects.filter(questionnaire=survey, code="unsafe").update(personal=True)
    identifier = collection_id(question(survey, "unsafe"))
    assert client.get(f"/ogc/collections/{identifier}/items").status_code == 404
    Question.objects.filter(questionnaire=survey, code="unsafe").update(personal=False)
    Questionnaire.objects.filter(pk=survey.pk).update(published=False)
    assert client.get(f"/ogc/collections/{identifier}").status_code == 404
    Questionnaire.objects.filter(pk=survey.pk).update(published=True)
    for bad in ("nope-q-nope-nope", f"{survey.project.slug}-q-{survey.slug}-travel"):
        assert client.get(f"/ogc/collections/{bad}/items").status_code == 404
    wrong = client.get(f"/ogc/collections/{identifier}/items/{'0' * 32}")
    assert wrong.status_code == 404
    assert client.get(f"/ogc/collections/{identifier}/items", {"crs": "x"}).status_code == 400


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gdal_reads_the_collection(survey, live_server, tmp_path):  # noqa: F811
    identifier = collection_id(question(survey, "unsafe"))
    target = tmp_path / "unsafe.geojson"
    done = subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(target),
            f"OAPIF:{live_server.url}/ogc/collections/{identifier}",
            "-oo",
            "PAGE_SIZE=25",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    features = json.loads(target.read_text())["features"]
    assert len(features) == TOTAL
    assert {f["properties"]["question"] for f in features} == {"unsafe"}
    assert all(f["geometry"]["type"] == "Point" for f in features)
