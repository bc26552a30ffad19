"""The partners' projects put to the vote for GIS clients: the OGC API collection
`<slug>-partner-projects` (documents, CRSs, queryables and their filters, errors, the vote's
figures only once the ranking is public) and the GeoPackage's `partner_projects` layer, read
by GDAL's ogrinfo and SQLite."""

import re
import sqlite3
import zipfile
from datetime import timedelta

import pyproj
import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from contributions.models import PartnerVote, Project
from contributions.services.partner_projects import set_outcome
from tests.consistency.partner_seed import ENTERED_BY, seed_partner_vote
from tests.consistency.partner_truth import truth
from tests.layers.test_exports import export, feature_count, layers, ogrinfo

pytestmark = pytest.mark.django_db
COLLECTION = "/ogc/collections/piter-alpimed-partner-projects"
ITEMS = COLLECTION + "/items"
LAMBERT_93 = "http://www.opengis.net/def/crs/EPSG/0/2154"


@pytest.fixture(scope="module")
def voted(demo, django_db_blocker):
    with django_db_blocker.unblock():
        Project.objects.filter(pk=demo.pk).update(publishes_open_data=True)
        demo.refresh_from_db()
        world = seed_partner_vote(demo)
        world.project.refresh_from_db()
        set_outcome(
            partner_project=world.items[1],
            outcome="kept",
            answer={"fr": "Retenu.", "it": "Mantenuto."},
        )
    yield world
    with django_db_blocker.unblock():
        PartnerVote.objects.filter(project=demo).delete()
        demo.partner_projects.all().delete()
        demo.partners.all().delete()
        get_user_model().objects.filter(username=ENTERED_BY).delete()


def _hide_ranking(project):
    """The vote open again, its ranking not live: figures are not public (rolled back)."""
    Project.objects.filter(pk=project.pk).update(
        partner_vote_closes_at=timezone.now() + timedelta(days=3), partner_ranking_live=False
    )


def test_the_collection_is_listed_with_its_crss_and_queryables(client, voted):
    listed = client.get("/ogc/collections").json()["collections"]
    ids = [c["id"] for c in listed]
    assert "piter-alpimed-partner-projects" in ids
    document = client.get(COLLECTION).json()
    assert LAMBERT_93 in document["crs"]
    rels = {link["rel"] for link in document["links"]}
    assert {"self", "items", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} <= rels
    schema = client.get(COLLECTION + "/queryables")
    assert schema["Content-Type"] == "application/schema+json"
    properties = schema.json()["properties"]
    assert set(properties) == {"theme", "partner", "outcome"}
    assert properties["partner"]["enum"] == [
        "Département des Alpes-Maritimes",
        "Provincia di Imperia",
    ]
    assert properties["outcome"]["enum"] == ["kept", "changed", "dropped"]


def test_items_carry_the_places_the_badge_and_the_figures_once_public(client, voted):
    expected = truth(voted.project)
    response = client.get(ITEMS)
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"] == 6
    shapes = {f["geometry"]["type"] for f in body["features"]}
    assert shapes == {"Point", "LineString", "Polygon"}
    for feature in body["features"]:
        properties = feature["properties"]
        assert properties["proposed_by"] == "partners"
        votes, up, down, rank = expected.projects[feature["id"]]
        assert (properties["votes"], properties["votes_for"], properties["votes_against"]) == (
            votes,
            up,
            down,
        )
        assert properties["rank"] == rank
        assert properties["url"].endswith(f"/partner-projects/{feature['id']}/")
    # The withdrawn project is not there, not even by its id.
    assert str(voted.withdrawn.pk) not in {f["id"] for f in body["features"]}
    assert client.get(f"{ITEMS}/{voted.withdrawn.pk}").status_code == 404


def test_no_vote_figure_before_the_ranking_is_public(client, voted):
    _hide_ranking(voted.project)
    features = client.get(ITEMS).json()["features"]
    assert features and not any("votes" in f["properties"] for f in features)
    one = client.get(f"{ITEMS}/{features[0]['id']}").json()
    assert "rank" not in one["properties"]


def test_items_in_lambert_93_and_one_item(client, voted):
    response = client.get(ITEMS, {"crs": LAMBERT_93, "theme": "health-social"})
    assert response["Content-Crs"] == f"<{LAMBERT_93}>"
    (feature,) = response.json()["features"]
    x, y = feature["geometry"]["coordinates"]
    assert 1_000_000 < x < 1_110_000 and 6_290_000 < y < 6_390_000
    item = client.get(f"{ITEMS}/{feature['id']}", {"crs": LAMBERT_93})
    assert item.json()["geometry"] == feature["geometry"]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"theme": "services"}, 2),
        ({"theme": "services,infrastructure"}, 4),
        ({"partner": "Provincia di Imperia"}, 2),
        ({"outcome": "kept"}, 1),
        ({"outcome": "dropped"}, 0),
        ({"limit": "2", "offset": "4"}, 2),
    ],
)
def test_queryables_filter_the_items(client, voted, query, count):
    body = client.get(ITEMS, query).json()
    assert body["numberReturned"] == count


def _menton_box(voted):
    """A box around the three projects placed in Menton (a point, a line, an area)."""
    west, south, east, north = MultiPolygon(
        [
            Polygon.from_bbox(item.location.extent)
            for item in voted.items
            if item.pk in _in_menton(voted)
        ]
    ).extent
    return west - 0.0005, south - 0.0005, east + 0.0005, north + 0.0005


def _in_menton(voted):
    return {voted.items[i].pk for i in (0, 1, 5)}


def test_a_bbox_in_degrees_or_in_lambert_93_selects_the_projects_it_touches(client, voted):
    box = _menton_box(voted)
    found = client.get(ITEMS, {"bbox": ",".join(map(str, box))}).json()["features"]
    assert {f["id"] for f in found} == {str(pk) for pk in _in_menton(voted)}
    to_l93 = pyproj.Transformer.from_crs(4326, 2154, always_xy=True)
    corners = [to_l93.transform(x, y) for x in box[::2] for y in box[1::2]]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    projected = f"{min(xs) - 10},{min(ys) - 10},{max(xs) + 10},{max(ys) + 10}"
    found = client.get(ITEMS, {"bbox": projected, "bbox-crs": LAMBERT_93}).json()["features"]
    assert {str(pk) for pk in _in_menton(voted)} <= {f["id"] for f in found}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"theme": "nowhere"}, "invalid_filter"),
        ({"outcome": "maybe"}, "invalid_filter"),
        ({"kind": "report"}, "unknown_parameter"),
        ({"crs": "EPSG:9999"}, "invalid_crs"),
        ({"bbox": "1,2,3"}, "invalid_bbox"),
        ({"limit": "0"}, "invalid_paging"),
        ({"partner": "\x00"}, None),
    ],
)
def test_bad_queries_get_a_code_and_a_sentence(client, voted, query, code):
    response = client.get(ITEMS, query)
    if code is None:  # a partner no project has: nothing found, never a 500
        assert response.status_code in (200, 400)
        return
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["description"]


def test_unknown_ids_and_projects_are_404(client, voted):
    assert client.get(f"{ITEMS}/not-a-uuid").status_code == 404
    assert client.get(f"{ITEMS}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/ogc/collections/nowhere-partner-projects/items").status_code == 404


def test_the_geopackage_layer_read_by_ogrinfo(voted, tmp_path):
    expected = truth(voted.project)
    path = tmp_path / "partner.gpkg"
    export(path, "gpkg", 2154, "--language", "it")
    summary = layers(path)["partner_projects"]
    assert "Geometry: Point" in summary and 'ID["EPSG",2154]' in summary
    assert feature_count(summary) == 6
    for column, kind in (
        ("votes", "Integer"),
        ("votes_for", "Integer"),
        ("votes_against", "Integer"),
        ("mean_rating", "Real"),
        ("rank", "Integer"),
        ("title", "String"),
        ("outcome", "String"),
    ):
        assert re.search(rf"^{column}: {kind}", summary, re.MULTILINE), column
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT id, title, votes, votes_for, votes_against, rank, outcome, proposed_by "
            "FROM partner_projects"
        ).fetchall()
        qml, sld = connection.execute(
            "SELECT styleQML, styleSLD FROM layer_styles WHERE f_table_name = 'partner_projects'"
        ).fetchone()
    finally:
        connection.close()
    for pk, _title, votes, up, down, rank, _outcome, by in rows:
        assert (votes, up, down, rank) == expected.projects[pk] and by == "partners"
    titles = {row[1] for row in rows}
    assert "Sentiero costiero" in titles  # the export's language
    assert {row[6] for row in rows} == {"kept", None}
    assert '<Option name="name" type="QString" value="star" />' in qml
    assert 'value="91,42,134,255"' in qml  # the public map's #5b2a86
    assert "<sld:WellKnownName>star</sld:WellKnownName>" in sld and "#5b2a86" in sld
    text = ogrinfo("-where", "outcome = 'kept'", path, "partner_projects")
    assert text.count("OGRFeature(partner_projects)") == 1


def test_open_data_carries_no_figure_before_the_ranking_is_public(voted, tmp_path):
    _hide_ranking(voted.project)
    path = tmp_path / "open.gpkg"
    export(path, "gpkg", 4326, "--public")
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT votes, rank FROM partner_projects").fetchall()
    finally:
        connection.close()
    assert len(rows) == 6 and set(rows) == {(None, None)}


def test_a_page_of_items_costs_a_fixed_number_of_queries(
    client, voted, django_assert_max_num_queries
):
    """The places in one query, the figures in a few: not a query per project."""
    with django_assert_max_num_queries(12):
        body = client.get(ITEMS, {"crs": LAMBERT_93}).json()
    assert body["numberReturned"] == 6


def test_a_person_reads_the_items_as_a_page(client, voted):
    page = client.get(ITEMS, {"f": "html"})
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert html.count("<tr><td>") == 6 and "partner_project" in html
    assert "Abri de bus" in html


def test_the_qgis_project_shows_the_partner_projects_layer(voted, tmp_path):
    path = tmp_path / "project.qgz"
    export(path, "qgis", 2154)
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".qgs"))
        text = archive.read(name).decode("utf-8")
    assert "|layername=partner_projects</datasource>" in text
    assert 'value="star"' in text
