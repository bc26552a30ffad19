"""Generalised public locations: every public output shows the same public point, never the
exact one, at the configured precision; staff keep the exact point."""

import json
import math
import re

import mapbox_vector_tile
import pytest
from django.db import connection
from pyproj import Transformer

from contributions.models import Contribution, Kind
from contributions.selectors import ContributionFilters, filtered_contributions
from layers import grid
from layers.exports.sql import contributions_sql
from privacy.models import LocationMethod
from privacy.services import RuleSpec, set_location_rules

pytestmark = pytest.mark.django_db
API = "/api/projects/piter-alpimed"
TO_METRIC = Transformer.from_crs(4326, 3035, always_xy=True)
# A place in Nice off any 200 m grid node.
EXACT = (7.26437, 43.70151)
READS = 100


def metres(a, b):
    ax, ay = TO_METRIC.transform(*a)
    bx, by = TO_METRIC.transform(*b)
    return math.hypot(ax - bx, ay - by)


def post_report(client, lon=EXACT[0], lat=EXACT[1], **properties):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kind": "report",
            "theme": "infrastructure",
            "title": "Trottoir défoncé devant chez moi",
            "email": "habitant@example.org",
            "consent": True,
            **properties,
        },
    }
    response = client.post(
        f"{API}/contributions/", json.dumps(feature), content_type="application/geo+json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def outputs(client, demo, item_id):
    """(name, (lon, lat)) of the item as every public output shows it."""
    contribution = Contribution.objects.get(pk=item_id)
    public = contribution.public_geom
    box = f"{public.x - 0.003},{public.y - 0.003},{public.x + 0.003},{public.y + 0.003}"
    seen = {}

    listing = client.get(f"{API}/contributions/", {"bbox": box, "limit": 500}).json()
    [feature] = [f for f in listing["features"] if f["id"] == item_id]
    seen["list"] = feature["geometry"]["coordinates"]
    seen["detail"] = client.get(f"{API}/contributions/{item_id}/").json()["geometry"]["coordinates"]

    clusters = client.get(f"{API}/clusters/", {"bbox": box, "zoom": 20}).json()
    [single] = [f for f in clusters["features"] if f["properties"].get("id") == item_id]
    seen["clusters"] = single["geometry"]["coordinates"]

    z = 20
    x, y = grid.to_mercator(public.x, public.y)
    size = grid.cell_size(z)
    tx, ty = int((x + grid.ORIGIN) // size), int((grid.ORIGIN - y) // size)
    response = client.get(f"/tiles/piter-alpimed/{z}/{tx}/{ty}.pbf")
    assert response.status_code == 200
    layer = mapbox_vector_tile.decode(response.content)["contributions"]
    [tile_feature] = [f for f in layer["features"] if f["properties"].get("id") == item_id]
    px, py = tile_feature["geometry"]["coordinates"]
    x0, y0, x1, y1 = grid.tile_bounds(z, tx, ty)
    seen["tiles"] = grid.to_lonlat(x0 + px / 4096 * (x1 - x0), y0 + py / 4096 * (y1 - y0))

    ogc = client.get(f"/ogc/collections/piter-alpimed-contributions/items/{item_id}", {"f": "json"})
    seen["ogc"] = ogc.json()["geometry"]["coordinates"]
    ogc_items = client.get(
        "/ogc/collections/piter-alpimed-contributions/items", {"f": "json", "bbox": box}
    ).json()
    seen["ogc items"] = next(
        f["geometry"]["coordinates"] for f in ogc_items["features"] if f["id"] == item_id
    )

    [request] = client.get(f"/open311/v2/requests/{item_id}.json").json()
    seen["open311"] = (request["long"], request["lat"])

    opendata = client.get(f"{API}/opendata.geojson")
    body = json.loads(b"".join(opendata.streaming_content))
    seen["open data"] = next(
        f["geometry"]["coordinates"] for f in body["features"] if f["id"] == item_id
    )

    # The public export's SELECT, as ogr2ogr runs it (here in the test's transaction).
    queryset = filtered_contributions(demo, ContributionFilters(), public=True)
    sql = contributions_sql(queryset, public=True, language="fr")
    with connection.cursor() as cursor:
        query = f"SELECT ST_X(geom), ST_Y(geom) FROM ({sql}) e WHERE id = %s"  # noqa: S608
        cursor.execute(query, [item_id])
        seen["export"] = cursor.fetchone()

    page = client.get(f"/fr/p/piter-alpimed/c/{item_id}/")
    html = page.content.decode()
    start = html.index('id="map-config"')
    config = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    seen["page"] = config["focus"]["geometry"]["coordinates"]
    # No number on the page is the exact location (a public point may share its first
    # digits: an offset of 100 m moves the longitude by about a thousandth of a degree).
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", html)]
    assert not any(math.isclose(n, c, abs_tol=1e-7) for n in numbers for c in EXACT)
    return seen


def check_every_output(client, demo, item_id, *, check):
    public = Contribution.objects.get(pk=item_id).public_geom
    first = outputs(client, demo, item_id)
    for name, where in first.items():
        # Six decimals (10 cm) everywhere; tiles are drawn on a grid of 4096 per tile side.
        tolerance = 0.2 if name == "tiles" else 0.15
        assert metres(where, (public.x, public.y)) < tolerance, name
        assert metres(where, EXACT) > 10, f"{name} shows the exact place"
        check(where)
    for _ in range(READS - 1):
        assert outputs(client, demo, item_id) == first


def test_grid_generalisation_through_every_output(client, demo):
    demo.publishes_open_data = True
    demo.save(update_fields=["publishes_open_data"])
    set_location_rules(
        project=demo,
        rules=[RuleSpec(kind=Kind.REPORT, method=LocationMethod.GRID, precision_m=200)],
    )
    item_id = post_report(client)
    stored = Contribution.objects.get(pk=item_id)
    assert (stored.geom.x, stored.geom.y) == pytest.approx(EXACT)  # staff keep the exact point

    def on_the_grid(where):
        x, y = TO_METRIC.transform(*where)
        for value in (x, y):
            assert abs(value / 200 - round(value / 200)) * 200 < 0.3
        assert metres(where, EXACT) <= 200 * math.sqrt(2) / 2 + 0.3

    check_every_output(client, demo, item_id, check=on_the_grid)


def test_offset_generalisation_is_stable_and_within_the_radius(client, demo):
    demo.publishes_open_data = True
    demo.save(update_fields=["publishes_open_data"])
    set_location_rules(
        project=demo, rules=[RuleSpec(method=LocationMethod.OFFSET, precision_m=150)]
    )
    item_id = post_report(client)

    def in_the_ring(where):
        assert 75 - 0.3 <= metres(where, EXACT) <= 150 + 0.3

    check_every_output(client, demo, item_id, check=in_the_ring)
    # The same offset after any rewrite of the place: not a new draw to average.
    before = Contribution.objects.get(pk=item_id).public_geom
    Contribution.objects.filter(pk=item_id).update(title="Autre titre")
    assert Contribution.objects.get(pk=item_id).public_geom.equals_exact(before, 1e-9)
    set_location_rules(
        project=demo, rules=[RuleSpec(method=LocationMethod.OFFSET, precision_m=150)]
    )
    assert Contribution.objects.get(pk=item_id).public_geom.equals_exact(before, 1e-9)


def test_rules_apply_to_existing_items_and_the_clusters_follow(client, demo):
    untouched = Contribution.objects.filter(project=demo).public().first()
    assert untouched.public_geom.equals_exact(untouched.geom, 0)  # no rule: the exact place
    moved = set_location_rules(
        project=demo, rules=[RuleSpec(method=LocationMethod.GRID, precision_m=500)]
    )
    assert moved == Contribution.objects.filter(project=demo).count()
    with connection.cursor() as cursor:
        # Every public item is on the grid, and the running counts are keyed by it.
        cursor.execute(
            """SELECT count(*) FROM contributions_contribution
               WHERE project_id = %s AND (
                 abs(ST_X(ST_Transform(public_geom, 3035)) / 500
                     - round(ST_X(ST_Transform(public_geom, 3035)) / 500)) > 1e-6
                 OR ST_Equals(public_geom, geom))""",
            [demo.pk],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            """SELECT count(*) FROM layers_clustercell c WHERE c.project_id = %s
               AND c.level = 20 AND c.n > 0 AND NOT EXISTS (
                 SELECT 1 FROM contributions_contribution k
                 WHERE k.project_id = c.project_id AND k.theme_id = c.theme_id
                 AND floor((ST_X(layers_point(k.public_geom)) + %s) / %s)::int = c.cx
                 AND floor((%s - ST_Y(layers_point(k.public_geom))) / %s)::int = c.cy)""",
            [demo.pk, grid.ORIGIN, grid.cell_size(20), grid.ORIGIN, grid.cell_size(20)],
        )
        assert cursor.fetchone()[0] == 0


def test_a_bbox_around_the_exact_place_finds_nothing(client, demo):
    set_location_rules(project=demo, rules=[RuleSpec(method=LocationMethod.GRID, precision_m=200)])
    item_id = post_report(client)
    tight = f"{EXACT[0] - 0.0001},{EXACT[1] - 0.0001},{EXACT[0] + 0.0001},{EXACT[1] + 0.0001}"
    listing = client.get(f"{API}/contributions/", {"bbox": tight}).json()
    assert item_id not in [f["id"] for f in listing["features"]]


def test_lines_move_as_a_whole(client, demo):
    set_location_rules(
        project=demo, rules=[RuleSpec(method=LocationMethod.OFFSET, precision_m=100)]
    )
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[7.2640, 43.7015], [7.2660, 43.7020]]},
        "properties": {"kind": "proposal", "theme": "infrastructure", "title": "Piste cyclable"},
    }
    response = client.post(
        f"{API}/contributions/", json.dumps(line), content_type="application/geo+json"
    )
    assert response.status_code == 201, response.content
    stored = Contribution.objects.get(pk=response.json()["id"])
    (a, b), (c, d) = stored.geom.coords, stored.public_geom.coords
    assert metres(a, b) == pytest.approx(metres(c, d), abs=0.05)  # same shape
    assert 50 - 0.5 <= metres(a, c) <= 100 + 0.5
