"""The in-memory cluster index answers exactly what the SQL path answers, and never with
older data than the request reads."""

import json
import random

import pytest
from django.db import connection
from django.test import override_settings

from contributions.models import Contribution, Vote
from contributions.selectors import ContributionFilters
from layers import cache, cluster_geojson, cluster_index, grid, selectors
from tests.contributions.conftest import point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/clusters/"


@pytest.fixture
def fresh_index():
    cluster_index.forget()
    yield
    cluster_index.forget()


def _viewports(project, count, seed):
    """Random viewports over the perimeter at every zoom, of a 1024 x 768 screen or less."""
    rng = random.Random(seed)
    west, south, east, north = project.perimeter.geom.extent
    for _ in range(count):
        zoom = rng.randint(3, 22)
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        half = rng.uniform(64, 1024) / 2 * 360 / (256 * 2**zoom)
        yield zoom, (lon - half, lat - half * 0.72, lon + half, lat + half * 0.72)


def _same(a, b, *, moved=False):
    """`a` by SQL, `b` by the index. After points have moved (`moved`), the SQL path's
    extents are running bounds that never shrink: the index's exact ones lie within them."""
    assert (a.bounds, a.capped, a.total) == (b.bounds, b.capped, b.total)
    assert [(c.kx, c.ky, c.count, c.themes) for c in a.clusters] == [
        (c.kx, c.ky, c.count, c.themes) for c in b.clusters
    ]
    # Centroids are sums in another order: equal to a micrometre (the API rounds to 10 cm).
    for left, right in zip(a.clusters, b.clusters, strict=True):
        assert left.x == pytest.approx(right.x, abs=1e-6)
        assert left.y == pytest.approx(right.y, abs=1e-6)
        if moved:
            _within(right.extent, left.extent, 1e-9)
        else:
            assert left.extent == pytest.approx(right.extent, abs=1e-9)
        assert left.item == right.item


def _within(inner, outer, tolerance):
    """Bounds (west, south, east, north) `inner` lie within `outer`."""
    assert outer[0] <= inner[0] + tolerance and outer[1] <= inner[1] + tolerance
    assert outer[2] >= inner[2] - tolerance and outer[3] >= inner[3] - tolerance


def _some_lines_and_areas(project):
    """Turns a few points into lines and areas: their items' geometry comes from the
    database, the rest from memory. Picked by their place (the seeded generator's), not by
    their random ids, so every run draws the same lines and areas."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH picked AS (
                SELECT id, row_number() OVER (ORDER BY md5(ST_AsText(geom)), id) AS n
                FROM contributions_contribution
                WHERE project_id = %s ORDER BY md5(ST_AsText(geom)), id LIMIT 200
            )
            UPDATE contributions_contribution c SET geom = CASE
                WHEN p.n %% 2 = 0 THEN ST_MakeLine(c.geom, ST_Translate(c.geom, 0.0004, 0.0003))
                ELSE ST_Buffer(c.geom, 0.0003, 4) END
            FROM picked p WHERE p.id = c.id
            """,
            [project.pk],
        )
        assert cursor.rowcount == 200


def test_index_and_sql_give_the_same_clusters(dense, fresh_index):
    project = dense
    _some_lines_and_areas(project)
    version = cache.data_version(project)
    filters = ContributionFilters()
    checked, shapes = 0, set()
    for zoom, (lon0, lat0, lon1, lat1) in _viewports(project, 400, seed=3):
        bounds = (*grid.to_mercator(lon0, lat0), *grid.to_mercator(lon1, lat1))
        by_sql = selectors.clusters(project, bounds, zoom, filters)
        by_index = selectors.clusters(project, bounds, zoom, filters, version=version)
        assert (by_sql.source, by_index.source) == ("sql", "index")
        _same(by_sql, by_index, moved=True)
        checked += by_sql.total
        shapes.update(c.item["geometry"]["type"] for c in by_index.clusters if c.item)
    assert checked > 10_000  # the viewports did hold contributions
    assert {"Point", "LineString", "Polygon"} <= shapes  # items from memory and from SQL


def test_edge_cells_split_down_to_single_points_still_add_up(dense, fresh_index, monkeypatch):
    """With tiny budgets every edge cell is split to the finest level before points are
    tested one by one: the deepest path must agree too."""
    monkeypatch.setattr(cluster_index, "EDGE_POINTS", 0)
    monkeypatch.setattr(cluster_index, "LEAF_POINTS", 0)
    version = cache.data_version(dense)
    for zoom, (lon0, lat0, lon1, lat1) in _viewports(dense, 60, seed=11):
        bounds = (*grid.to_mercator(lon0, lat0), *grid.to_mercator(lon1, lat1))
        filters = ContributionFilters()
        _same(
            selectors.clusters(dense, bounds, zoom, filters),
            selectors.clusters(dense, bounds, zoom, filters, version=version),
        )


def test_filtered_maps_are_answered_by_sql(dense, fresh_index):
    version = cache.data_version(dense)
    bounds = (*grid.to_mercator(7.2, 43.65), *grid.to_mercator(7.35, 43.75))
    result = selectors.clusters(
        dense, bounds, 11, ContributionFilters(kinds=["problem"]), version=version
    )
    assert result.source == "sql"


def test_a_new_pin_is_counted_at_once_and_a_stale_index_is_never_used(client, dense, fresh_index):
    view = {"bbox": "7.27,43.70,7.29,43.72", "zoom": 15}
    before = client.get(URL, view)
    assert before["Server-Timing"].startswith('clusters;desc="index"')
    stale = cache.data_version(dense)
    response = client.post(
        "/api/projects/piter-alpimed/contributions/",
        json.dumps(point(7.2805, 43.7123, title="Un banc ici")),
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    assert cache.data_version(dense) != stale
    with override_settings(CLUSTER_INDEX_MODE="background"):
        # The index still holds the old version: it is not used, SQL answers exactly.
        assert cluster_index.current(dense, cache.data_version(dense)) is None
    after = client.get(URL, view)
    assert after.json()["numberMatched"] == before.json()["numberMatched"] + 1
    titles = [f["properties"].get("title") for f in after.json()["features"]]
    assert "Un banc ici" in titles


@override_settings(CLUSTER_INDEX_MODE="background")
def test_a_background_build_takes_over_from_sql(dense, fresh_index):
    version = cache.data_version(dense)
    assert cluster_index.current(dense, version) is None  # starts the build
    for thread in list(cluster_index.building_threads()):
        thread.join(timeout=60)
    index = cluster_index.current(dense, version)
    assert index is not None and index.version == version
    assert (
        len(index)
        == selectors.clusters(dense, grid.tile_bounds(0, 0, 0), 0, ContributionFilters()).total
    )


@override_settings(CLUSTER_INDEX_MODE="off")
def test_the_index_can_be_turned_off(dense, fresh_index):
    assert cluster_index.current(dense, cache.data_version(dense)) is None


@override_settings(CLUSTER_INDEX_MODE="background")
def test_a_worker_does_not_rebuild_without_rest_while_data_keeps_changing(
    dense, fresh_index, monkeypatch
):
    monkeypatch.setattr(cluster_index, "REST_FACTOR", 1e6)
    version = cache.data_version(dense)
    cluster_index.current(dense, version)
    for thread in cluster_index.building_threads():
        thread.join(timeout=60)
    assert cluster_index.current(dense, version) is not None
    # Another version (a write since): SQL answers, and no build starts during the rest.
    assert cluster_index.current(dense, version + "-next") is None
    assert cluster_index.building_threads() == []


def test_an_edited_title_is_a_new_version_and_a_vote_is_not(client, dense, fresh_index):
    view = {"bbox": "7.2800,43.7120,7.2810,43.7126", "zoom": 21}
    response = client.post(
        "/api/projects/piter-alpimed/contributions/",
        json.dumps(point(7.2805, 43.7123, title="Banc bleu")),
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    created = Contribution.objects.get(pk=response.json()["id"])
    first = client.get(URL, view)
    assert "Banc bleu" in [f["properties"].get("title") for f in first.json()["features"]]
    Vote.objects.create(contribution=created, participant="anon:someone")
    assert client.get(URL, view)["ETag"] == first["ETag"]  # counts and titles unchanged
    Contribution.objects.filter(pk=created.pk).update(title="Banc vert")
    second = client.get(URL, view)
    assert second["ETag"] != first["ETag"]
    titles = [f["properties"].get("title") for f in second.json()["features"]]
    assert "Banc vert" in titles and "Banc bleu" not in titles


def test_the_index_and_sql_write_the_same_geojson(dense, fresh_index):
    _some_lines_and_areas(dense)
    version = cache.data_version(dense)
    filters = ContributionFilters()
    features, shapes = 0, set()
    for zoom, (lon0, lat0, lon1, lat1) in _viewports(dense, 150, seed=7):
        bounds = (*grid.to_mercator(lon0, lat0), *grid.to_mercator(lon1, lat1))
        by_index, source = cluster_geojson.collection(dense, bounds, zoom, filters, version=version)
        by_sql = cluster_geojson.from_result(selectors.clusters(dense, bounds, zoom, filters))
        assert source == "index"
        assert {k: v for k, v in by_index.items() if k != "features"} == {
            k: v for k, v in by_sql.items() if k != "features"
        }
        assert len(by_index["features"]) == len(by_sql["features"])
        for mine, theirs in zip(by_index["features"], by_sql["features"], strict=True):
            assert mine["id"] == theirs["id"]
            mine_props, their_props = dict(mine["properties"]), dict(theirs["properties"])
            mine_extent, their_extent = (
                mine_props.pop("extent", None),
                their_props.pop("extent", None),
            )
            assert mine_props == their_props
            if mine_extent:  # running bounds on the SQL side: the index's lie within
                _within(mine_extent, their_extent, 1e-6)
            if mine["geometry"]["type"] == "Point":
                assert mine["geometry"]["coordinates"] == pytest.approx(
                    theirs["geometry"]["coordinates"], abs=2e-6
                )
            else:
                assert mine["geometry"] == theirs["geometry"]
            features += 1
            shapes.add(mine["geometry"]["type"])
    assert features > 300
    assert {"Point", "LineString", "Polygon"} <= shapes
