"""The commune the public reads of a generalised contribution says no more than its public
location: the commune of the public point (privacy_public_commune), in every public output;
staff keep the commune of the exact place.

The contribution is placed in one commune so close to another that a 1 km grid rule, added
after it was stored, snaps its public point across the boundary: a public output naming the
first commune would tell on which side the exact place lies.
"""

import csv
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from contributions.models import Contribution, Kind
from contributions.selectors import ContributionFilters, filtered_contributions
from layers.exports.sql import contributions_sql
from privacy.models import LocationMethod
from privacy.services import RuleSpec, set_location_rules
from territories.models import Territory

pytestmark = pytest.mark.django_db
API = "/api/projects/piter-alpimed"
GRID = 1000  # metres, in ETRS89-LAEA (EPSG:3035) as privacy_public_location snaps


def _communes(project):
    """The perimeter's current communes, with their boundaries in EPSG:3035, prepared."""
    members = Territory.objects.filter(
        pk__in=project.perimeter.members.values("pk"), kind="commune", valid_until__isnull=True
    )
    found = []
    for commune in members:
        metric = commune.geom.transform(3035, clone=True)
        found.append((commune, metric, metric.prepared))
    return found


def _only_commune(communes, point):
    """The one commune holding a 3035 point, or None (none, or several)."""
    holding = [commune for commune, _geom, prepared in communes if prepared.contains(point)]
    return holding[0] if len(holding) == 1 else None


def _across_a_boundary(project):
    """(exact place in lon/lat, its commune, the commune of its grid node): a place whose
    1 km grid node lies in another commune, both well inside the perimeter's communes."""
    communes = _communes(project)
    for _commune, metric, _prepared in communes:
        x0, y0, x1, y1 = metric.extent
        for nx in range(int(x0 // GRID) * GRID, int(x1) + GRID, GRID):
            for ny in range(int(y0 // GRID) * GRID, int(y1) + GRID, GRID):
                node = Point(nx, ny, srid=3035)
                public = _only_commune(communes, node)
                if public is None:
                    continue
                for dx, dy in ((350, 350), (-350, 350), (350, -350), (-350, -350)):
                    place = Point(nx + dx, ny + dy, srid=3035)
                    exact = _only_commune(communes, place)
                    if exact is not None and exact.code != public.code:
                        lonlat = place.transform(4326, clone=True)
                        return (lonlat.x, lonlat.y), exact, public
    raise AssertionError("no place whose grid node lies in another commune")


@pytest.fixture
def across(client, demo):
    demo.publishes_open_data = True
    demo.save(update_fields=["publishes_open_data"])
    place, exact, public = _across_a_boundary(demo)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(place)},
        "properties": {
            "kind": "report",
            "theme": "infrastructure",
            "title": "Lampadaire en panne",
            "consent": True,
        },
    }
    response = client.post(
        f"{API}/contributions/", json.dumps(feature), content_type="application/geo+json"
    )
    assert response.status_code == 201, response.content
    item = Contribution.objects.get(pk=response.json()["id"])
    assert item.commune.code == exact.code  # attributed where it is
    # The rule comes after the contribution: its public place is recomputed.
    set_location_rules(
        project=demo,
        rules=[RuleSpec(kind=Kind.REPORT, method=LocationMethod.GRID, precision_m=GRID)],
    )
    item.refresh_from_db()
    assert not item.public_geom.equals_exact(item.geom, 0)
    return item, exact, public


def _export(project, *, public):
    """(code, name) of each contribution in the export's SELECT, as ogr2ogr runs it."""
    queryset = filtered_contributions(project, ContributionFilters(), public=public)
    sql = contributions_sql(queryset, public=public, language="fr")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, commune_code, commune_name FROM ({sql}) e")  # noqa: S608
        return {row[0]: row[1:] for row in cursor.fetchall()}


def public_communes(client, project, item_id):
    """{output: (code, name or None)} of the contribution in every public output."""
    seen = {}
    public = Contribution.objects.get(pk=item_id).public_geom
    box = f"{public.x - 0.01},{public.y - 0.01},{public.x + 0.01},{public.y + 0.01}"
    listing = client.get(f"{API}/contributions/", {"bbox": box, "limit": 500}).json()
    [feature] = [f for f in listing["features"] if f["id"] == item_id]
    seen["list"] = (feature["properties"]["commune"], feature["properties"]["commune_name"])
    detail = client.get(f"{API}/contributions/{item_id}/").json()["properties"]
    seen["detail"] = (detail["commune"], detail["commune_name"])

    response = client.get(f"{API}/opendata.geojson")
    features = json.loads(b"".join(response.streaming_content))["features"]
    [properties] = [f["properties"] for f in features if f["id"] == item_id]
    seen["open data geojson"] = (properties["commune"], properties["commune_name"])
    response = client.get(f"{API}/opendata.csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    [row] = [r for r in rows if r["id"] == item_id]
    seen["open data csv"] = (row["commune"], row["commune_name"])

    seen["public export"] = _export(project, public=True)[item_id]
    [request] = client.get(f"/open311/v2/requests/{item_id}.json").json()
    seen["open311"] = (request["zipcode"], None)
    return seen


def test_every_public_output_names_the_commune_of_the_public_place(client, demo, across):
    item, exact, public = across
    seen = public_communes(client, demo, str(item.pk))
    for output, (code, name) in seen.items():
        assert code == public.code, f"{output} names {code}, not the public place's {public.code}"
        assert code != exact.code
        assert name in (public.name, None), output
    # Staff keep the commune of the exact place.
    assert _export(demo, public=False)[str(item.pk)] == (exact.code, exact.name)


def test_the_public_commune_is_the_one_under_the_public_point_for_every_item(client, demo):
    """Over the whole demo under a rule: no public commune says more than the public point."""
    set_location_rules(project=demo, rules=[RuleSpec(method=LocationMethod.GRID, precision_m=GRID)])
    communes = _communes(demo)
    listing = client.get(f"{API}/contributions/", {"limit": 1000}).json()
    checked = crossed = 0
    for feature in listing["features"]:
        if feature["geometry"]["type"] != "Point":
            continue
        x, y = feature["geometry"]["coordinates"]
        under = _only_commune(communes, Point(x, y, srid=4326).transform(3035, clone=True))
        if under is None:
            continue  # in no commune, or where two overlap: the rule decides, not this test
        item = Contribution.objects.select_related("commune").get(pk=feature["id"])
        assert feature["properties"]["commune"] == under.code, feature["id"]
        checked += 1
        crossed += item.commune.code != under.code
    assert checked > 200 and crossed > 0  # some public points did cross a boundary


def test_without_a_rule_the_public_commune_is_the_exact_one(client, demo):
    listing = client.get(f"{API}/contributions/", {"limit": 1000}).json()
    exact = {
        str(pk): code
        for pk, code in Contribution.objects.filter(project=demo).values_list("pk", "commune__code")
    }
    assert listing["features"]
    for feature in listing["features"]:
        assert feature["properties"]["commune"] == exact[feature["id"]]


def test_the_public_commune_filter_and_pages_follow_the_public_place(client, demo, across):
    item, exact, public = across
    item_id = str(item.pk)
    # The public filter asks about the public commune: asking for the exact one finds nothing.
    for code, found in ((public.code, True), (exact.code, False)):
        listed = client.get(f"{API}/contributions/", {"commune": code, "limit": 1000}).json()
        assert (item_id in {f["id"] for f in listed["features"]}) is found, code
        page = client.get("/fr/p/piter-alpimed/list/", {"commune": code}).content.decode()
        assert (item_id in page) is found, code  # the newest: first on the page
    # The contribution's own page names the public commune, never the exact one.
    page = client.get(f"/fr/p/piter-alpimed/c/{item_id}/").content.decode()
    heading = page.split("<time", 1)[0].rsplit("<p>", 1)[1]
    assert public.name in heading and exact.name not in heading
    # Staff filter on the exact commune.
    staff = filtered_contributions(demo, ContributionFilters(commune=exact.code), public=False)
    assert staff.filter(pk=item.pk).exists()
    item.refresh_from_db()
    assert item.public_commune.code == public.code
