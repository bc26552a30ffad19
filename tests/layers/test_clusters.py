"""Server-side clusters: exact counts, in step with writes, never counting hidden items."""

import json
import random

import pytest
from django.db import connection

from contributions.models import PUBLIC_STATUSES, Contribution, Status
from tests.contributions.conftest import point

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/clusters/"


def expected_count(project, bbox, kinds=None, themes=None, statuses=None):
    """Public contributions whose point lies in the lon/lat box, counted by PostGIS alone."""
    sql = """
        SELECT count(*) FROM contributions_contribution c
        JOIN contributions_theme th ON th.id = c.theme_id
        CROSS JOIN LATERAL (SELECT ST_Transform(layers_point(c.geom), 4326) AS p) m
        WHERE c.project_id = %s AND c.status = ANY(%s)
        AND ST_X(m.p) BETWEEN %s AND %s AND ST_Y(m.p) BETWEEN %s AND %s
        AND (%s::text[] IS NULL OR c.kind = ANY(%s))
        AND (%s::text[] IS NULL OR th.slug = ANY(%s))
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                project.pk,
                statuses or PUBLIC_STATUSES,
                bbox[0],
                bbox[2],
                bbox[1],
                bbox[3],
                kinds,
                kinds,
                themes,
                themes,
            ],
        )
        return cursor.fetchone()[0]


def get_clusters(client, bbox, zoom, **filters):
    response = client.get(URL, {"bbox": ",".join(map(str, bbox)), "zoom": zoom, **filters})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def viewports(seed=7, count=40):
    rng = random.Random(seed)
    for _ in range(count):
        zoom = rng.randint(5, 20)
        width = 1024 * 360 / (256 * 2**zoom)  # a 1024-pixel-wide screen
        lon = rng.uniform(7.0, 7.8)
        lat = rng.uniform(43.65, 44.2)
        yield zoom, (lon - width / 2, lat - width / 3, lon + width / 2, lat + width / 3)


@pytest.mark.parametrize(
    "filters",
    [{}, {"kind": "report"}, {"theme": "services,health-social"}, {"status": "published"}],
    ids=["all", "reports", "two-themes", "published"],
)
def test_cluster_counts_add_up_exactly(client, dense, filters):
    checked = 0
    for zoom, bbox in viewports():
        body = get_clusters(client, bbox, zoom, **filters)
        used = body["bbox"] if body["capped"] else bbox
        counts = [f["properties"]["count"] for f in body["features"]]
        assert sum(counts) == body["numberMatched"]
        expected = expected_count(
            dense,
            used,
            kinds=filters["kind"].split(",") if "kind" in filters else None,
            themes=filters["theme"].split(",") if "theme" in filters else None,
            statuses=filters["status"].split(",") if "status" in filters else None,
        )
        assert body["numberMatched"] == expected, (zoom, bbox)
        for feature in body["features"]:
            properties = feature["properties"]
            if properties["cluster"]:
                assert properties["count"] > 1
                assert sum(properties["themes"].values()) == properties["count"]
            else:
                assert {"id", "kind", "theme", "title"} <= set(properties)
        checked += expected > 0
    assert checked >= 10  # the viewports do hit contributions


def test_clusters_are_stable_from_one_pan_to_the_next(client, dense):
    bbox = (7.20, 43.66, 7.34, 43.76)
    moved = (7.22, 43.67, 7.36, 43.77)
    first = {f["id"]: f["properties"]["count"] for f in get_clusters(client, bbox, 13)["features"]}
    second = {
        f["id"]: f["properties"]["count"] for f in get_clusters(client, moved, 13)["features"]
    }
    # Clusters well inside both viewports keep their identity and count.
    common = set(first) & set(second)
    assert len(common) > 5
    inner = [k for k in common if first[k] == second[k]]
    assert len(inner) >= len(common) * 0.6


def test_a_new_contribution_appears_without_a_rebuild(client, dense):
    lonlat = (7.2805, 43.7123)
    bbox = (7.27, 43.705, 7.29, 43.72)
    before = get_clusters(client, bbox, 12)["numberMatched"]
    response = client.post(
        "/api/projects/piter-alpimed/contributions/",
        json.dumps(point(*lonlat, title="Nouveau banc")),
        content_type="application/geo+json",
    )
    assert response.status_code == 201
    assert get_clusters(client, bbox, 12)["numberMatched"] == before + 1
    close = get_clusters(client, (7.2800, 43.7120, 7.2810, 43.7126), 21)
    titles = [f["properties"].get("title") for f in close["features"]]
    assert "Nouveau banc" in titles


def test_hidden_and_unpublished_items_are_never_counted(client, dense):
    bbox = (6.5, 43.4, 8.5, 44.6)  # the whole territory
    before = get_clusters(client, bbox, 7)["numberMatched"]
    targets = list(
        Contribution.objects.filter(project=dense, status=Status.PUBLISHED)
        .order_by("id")
        .values_list("id", flat=True)[:25]
    )
    Contribution.objects.filter(pk__in=targets[:15]).update(status=Status.HIDDEN)
    Contribution.objects.filter(pk__in=targets[15:]).update(status=Status.SUBMITTED)
    after = get_clusters(client, bbox, 7)
    assert after["numberMatched"] == expected_count(dense, bbox) == before - 25
    for target in Contribution.objects.filter(pk__in=targets[::5]):
        lon, lat = target.geom.point_on_surface.coords
        around = (lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005)
        ids = {f["id"] for f in get_clusters(client, around, 20)["features"]}
        assert str(target.pk) not in ids


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"bbox": "7.3,43.7,7.2,43.8", "zoom": 10}, "invalid"),
        ({"bbox": "7.2,43.7,7.3,95", "zoom": 10}, "invalid"),
        ({"bbox": "7.2,43.7,7.3", "zoom": 10}, "invalid"),
        ({"bbox": "7.2,43.7,7.3,43.8", "zoom": 23}, "invalid"),
        ({"bbox": "7.2,43.7,7.3,43.8", "zoom": -1}, "invalid"),
        ({"bbox": "7.2,43.7,7.3,43.8"}, "invalid"),
        ({"zoom": 10}, "invalid"),
        ({"bbox": "7.2,43.7,7.3,43.8", "zoom": 10, "colour": "red"}, "unknown_parameter"),
        ({"bbox": "7.2,43.7,7.3,43.8", "zoom": 10, "kind": "petition"}, "invalid"),
    ],
)
def test_bad_parameters_get_400(client, demo, params, code):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_a_huge_viewport_at_a_high_zoom_is_capped(client, dense):
    body = get_clusters(client, (-10, 35, 20, 55), 18)
    assert body["capped"] is True
    west, south, east, north = body["bbox"]
    assert east - west < 0.1 and north - south < 0.1
    assert body["numberMatched"] == expected_count(dense, body["bbox"])


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kinds": ["proposal"]},
        {"statuses": ["answered"]},
        {"kinds": ["report", "observation"], "statuses": ["published", "answered"]},
        {"themes": ["infrastructure"]},
        {"themes": ["services", "nope"], "kinds": ["proposal"]},
    ],
)
def test_the_running_counts_give_the_lists_number_matched(dense, filters):
    from contributions.selectors import ContributionFilters, public_contributions
    from layers.selectors import public_count

    wanted = ContributionFilters(**filters)
    assert public_count(dense, wanted) == public_contributions(dense, wanted).count()
    assert public_count(dense, ContributionFilters()) > 3000


def test_filters_the_running_counts_do_not_know_are_counted_row_by_row(dense):
    from contributions.selectors import ContributionFilters
    from layers.selectors import public_count

    assert public_count(dense, ContributionFilters(commune="06088")) is None
    assert public_count(dense, ContributionFilters(bbox=(7.2, 43.6, 7.3, 43.7))) is None
