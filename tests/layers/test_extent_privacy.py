"""Cluster extents say nothing the public locations of the contributions shown now do not.

A cluster's extent is computed here from scratch: the public points of the public
contributions in the cluster, each widened to its 38 m cell (layers.grid.EXTENT_LEVEL), the
box of those cells clipped to the cluster's cell and the viewport. After a location rule is
added to contributions already counted, or a contribution is hidden, both the SQL path
(running per-cell counts) and the in-memory index must serve exactly that, and never a
coordinate of an exact place.
"""

import math

import pytest
from django.db import connection

from contributions.models import Contribution, Kind, Status
from contributions.selectors import ContributionFilters
from layers import cache, cluster_geojson, cluster_index, grid
from layers.counts import PUBLIC_CHANGED, shrink_sql
from privacy.models import LocationMethod
from privacy.services import RuleSpec, set_location_rules
from tests.database.helpers import function_source, squeeze
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

# An empty stretch of the perimeter (no demo contribution within 12 km of these): three
# reports about 1.5 km apart, then three observations 4 km further east.
# Upper Stura (Argentera, Pietraporzio), at least 1 km inside the perimeter's real border.
CENTRE = (6.99, 44.36)
REPORTS = [(6.9612, 44.3704), (6.9797, 44.3628), (6.9689, 44.3551)]
OBSERVATIONS = [(7.0141, 44.3687), (7.0326, 44.3602), (7.0233, 44.3518)]
ZOOMS = (6, 8, 9, 10, 11, 12)


@pytest.fixture
def fresh_index():
    cluster_index.forget()
    yield
    cluster_index.forget()


def _place(project, places, kind):
    sentiment = "positive" if kind == Kind.OBSERVATION else ""
    return [
        make_contribution(
            project, lonlat=place, kind=kind, sentiment=sentiment, status=Status.PUBLISHED
        ).pk
        for place in places
    ]


def _public_points(project):
    """Mercator anchors of the project's public contributions' public locations."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_X(layers_point(public_geom)), ST_Y(layers_point(public_geom))
               FROM contributions_contribution WHERE project_id = %s AND status = ANY(%s)""",
            [
                project.pk,
                [
                    "published",
                    "under_review",
                    "accepted",
                    "planned",
                    "done",
                    "rejected",
                    "duplicate",
                ],
            ],
        )
        return cursor.fetchall()


def _expected(points, bounds, zoom):
    """{cluster id: extent [west, south, east, north] in lon/lat} of the clusters holding
    more than one point, computed from the public points alone."""
    x0, y0, x1, y1 = bounds
    size = grid.cell_size(zoom + grid.CLUSTER_PIXELS_LEVELS)
    fine = grid.cell_size(grid.EXTENT_LEVEL)
    found = {}
    for x, y in points:
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        key = (math.floor((x + grid.ORIGIN) / size), math.floor((grid.ORIGIN - y) / size))
        column, row = math.floor((x + grid.ORIGIN) / fine), math.floor((grid.ORIGIN - y) / fine)
        box = (
            column * fine - grid.ORIGIN,
            grid.ORIGIN - (row + 1) * fine,
            (column + 1) * fine - grid.ORIGIN,
            grid.ORIGIN - row * fine,
        )
        count, old = found.get(key, (0, None))
        if old is not None:
            box = (
                min(old[0], box[0]),
                min(old[1], box[1]),
                max(old[2], box[2]),
                max(old[3], box[3]),
            )
        found[key] = (count + 1, box)
    extents = {}
    for (kx, ky), (count, box) in found.items():
        if count < 2:
            continue
        west, south = kx * size - grid.ORIGIN, grid.ORIGIN - (ky + 1) * size
        clipped = (
            max(box[0], west, x0),
            max(box[1], south, y0),
            min(box[2], west + size, x1),
            min(box[3], south + size, y1),
        )
        lon0, lat0 = grid.to_lonlat(clipped[0], clipped[1])
        lon1, lat1 = grid.to_lonlat(clipped[2], clipped[3])
        extents[f"{zoom}/{kx}/{ky}"] = [lon0, lat0, lon1, lat1]
    return extents


def _viewports():
    """Viewports around the placed contributions, from a wide view down to a close one."""
    for zoom in ZOOMS:
        half = 900 / 2 * 360 / (256 * 2**zoom)
        lon, lat = CENTRE
        lower = grid.to_mercator(lon - half, lat - half * 0.72)
        upper = grid.to_mercator(lon + half, lat + half * 0.72)
        yield zoom, (*lower, *upper)


def _served(project, bounds, zoom, *, index):
    """The clusters endpoint's collection, by the in-memory index or by SQL alone."""
    version = cache.data_version(project) if index else None
    collection, source = cluster_geojson.collection(
        project, bounds, zoom, ContributionFilters(), version=version
    )
    assert source == ("index" if index else "sql")
    return {
        feature["id"]: feature["properties"]["extent"]
        for feature in collection["features"]
        if feature["properties"]["cluster"]
    }


def _check_extents(project, exact_places):
    points = _public_points(project)
    exact = {round(value, 6) for place in exact_places for value in place}
    checked = 0
    for zoom, bounds in _viewports():
        expected = _expected(points, bounds, zoom)
        for index in (False, True):
            served = _served(project, bounds, zoom, index=index)
            assert served.keys() == expected.keys()
            for key, extent in served.items():
                path = "index" if index else "SQL"
                assert extent == pytest.approx(expected[key], abs=1.5e-6), (path, zoom, key)
                assert not exact & set(extent), f"{path} at zoom {zoom}: {key} shows {extent}"
                checked += 1
    assert checked > 20


def test_a_rule_added_after_the_cells_exist_leaves_no_exact_place_in_an_extent(demo, fresh_index):
    _place(demo, REPORTS, Kind.REPORT)
    _place(demo, OBSERVATIONS, Kind.OBSERVATION)
    for zoom, bounds in _viewports():  # the cells and the index exist before the rule
        _served(demo, bounds, zoom, index=True)
    set_location_rules(
        project=demo,
        rules=[
            RuleSpec(kind=Kind.REPORT, method=LocationMethod.GRID, precision_m=1000),
            RuleSpec(kind=Kind.OBSERVATION, method=LocationMethod.OFFSET, precision_m=600),
        ],
    )
    _check_extents(demo, REPORTS + OBSERVATIONS)


def test_a_hidden_or_deleted_contribution_leaves_no_trace_in_an_extent(demo, fresh_index):
    ids = _place(demo, REPORTS, Kind.REPORT) + _place(demo, OBSERVATIONS, Kind.OBSERVATION)
    _check_extents(demo, [])
    # The outermost of each group leaves: hidden by moderation, or deleted.
    Contribution.objects.filter(pk=ids[0]).update(status=Status.HIDDEN)
    Contribution.objects.filter(pk=ids[4]).delete()
    _check_extents(demo, [REPORTS[0], OBSERVATIONS[1]])
    # Back in sight, it is in the extents again: they grow from the cells, not from history.
    Contribution.objects.filter(pk=ids[0]).update(status=Status.PUBLISHED)
    _check_extents(demo, [OBSERVATIONS[1]])


def test_a_cell_every_point_left_keeps_nothing_of_it(demo):
    [gone] = _place(demo, [REPORTS[0]], Kind.REPORT)
    Contribution.objects.filter(pk=gone).update(status=Status.HIDDEN)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM layers_clustercell WHERE project_id = %s AND n = 0"
            " AND (sx <> 0 OR sy <> 0)",
            [demo.pk],
        )
        assert cursor.fetchone() == (0,)
    # The same cells filled again take the new point's extent, not the one that left.
    _place(demo, [REPORTS[1]], Kind.REPORT)
    x, y = grid.to_mercator(*REPORTS[1])
    fine = grid.cell_size(grid.EXTENT_LEVEL)
    column, row = math.floor((x + grid.ORIGIN) / fine), math.floor((grid.ORIGIN - y) / fine)
    box = (
        column * fine - grid.ORIGIN,
        grid.ORIGIN - (row + 1) * fine,
        (column + 1) * fine - grid.ORIGIN,
        grid.ORIGIN - row * fine,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, n, minx, miny, maxx, maxy FROM layers_clustercell"
            " WHERE project_id = %s AND level = 12 AND cx = floor((%s + %s) / %s)::int"
            " AND cy = floor((%s - %s) / %s)::int",
            [demo.pk, x, grid.ORIGIN, grid.cell_size(12), grid.ORIGIN, y, grid.cell_size(12)],
        )
        [(level, n, *extent)] = cursor.fetchall()
    assert (level, n) == (12, 1)  # no other contribution in its 7 km cell
    assert tuple(extent) == pytest.approx(box, abs=1e-6)


def test_the_triggers_shrink_extents_with_the_sql_the_live_code_writes():
    expected = {
        "layers_after_delete": shrink_sql("old_rows"),
        "layers_after_update": shrink_sql(PUBLIC_CHANGED.format(side="old_rows", other="new_rows")),
    }
    for function, statement in expected.items():
        assert squeeze(statement) in squeeze(function_source(function)), function
