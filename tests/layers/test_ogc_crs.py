"""OGC API - Features Part 2 (CRS by reference) and Part 3 (queryables): documents, the
coordinates in each offered CRS checked against PROJ (pyproj), boxes drawn in another CRS,
the queryables' filters against the site's own API, the temporal extent, and bad values.
The real clients (GDAL, QGIS) are driven at the end, against a live server."""

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from urllib.parse import urlencode

import pyproj
import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count
from django.test import Client

from contributions.models import Contribution
from layers import ogc_crs
from mapping.demo import load_demo
from territories.models import Territory
from tests.conftest import need

pytestmark = pytest.mark.django_db
COLLECTION = "/ogc/collections/piter-alpimed-contributions"
ITEMS = COLLECTION + "/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
LAMBERT93 = EPSG + "2154"
REQUIRED = [ogc_crs.CRS84_URI] + [EPSG + code for code in ("4326", "2154", "32632", "3035", "3857")]
CENTIMETRE = 0.01


def _public(project):
    return Contribution.objects.public().filter(project=project)


def _stored_points(project):
    """Each public contribution's public location as stored (longitude, latitude)."""
    return {str(c.pk): c.public_geom.coords for c in _public(project)}


def _to(code):
    """From CRS84 (longitude, latitude in) to the CRS, in the CRS's own axis order."""
    return pyproj.Transformer.from_crs("OGC:CRS84", f"EPSG:{code}")


def _items(client, **params):
    response = client.get(ITEMS, {"limit": 10000, **params})
    assert response.status_code == 200, response.content[:500]
    return response


# ------------------------------------------------------------------ the list of CRSs


def test_every_offered_crs_agrees_with_proj_and_postgis():
    assert [crs.uri for crs in ogc_crs.CRSS][: len(REQUIRED)] == REQUIRED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT srid FROM spatial_ref_sys WHERE srid = ANY(%s)",
            [[crs.srid for crs in ogc_crs.CRSS]],
        )
        known = {row[0] for row in cursor.fetchall()}
    for crs in ogc_crs.CRSS:
        proj = pyproj.CRS("OGC:CRS84" if crs is ogc_crs.DEFAULT else f"EPSG:{crs.srid}")
        directions = [axis.direction for axis in proj.axis_info]
        assert directions == (["north", "east"] if crs.north_first else ["east", "north"])
        assert crs.srid in known
        assert crs.digits == (2 if proj.is_projected else 6)
        # The demo territory (Alpes-Maritimes, Imperia, Cuneo) lies within the bounds.
        west, south, east, north = crs.bounds
        x, y = pyproj.Transformer.from_crs("OGC:CRS84", proj, always_xy=True).transform(
            [6.5, 8.3], [43.5, 44.9]
        )
        assert all(west <= v <= east for v in x) and all(south <= v <= north for v in y)


def test_collections_conformance_and_api_declare_parts_2_and_3(client, demo):
    classes = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables" in classes
    assert (
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"
        in classes
    )
    for collection in client.get("/ogc/collections").json()["collections"]:
        assert set(REQUIRED) <= set(collection["crs"])
        assert collection["storageCrs"] == ogc_crs.CRS84_URI
        assert collection["extent"]["spatial"]["crs"] == ogc_crs.CRS84_URI
        queryables = [
            link
            for link in collection["links"]
            if link["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"
        ]
        assert queryables and queryables[0]["type"] == "application/schema+json"
    api = client.get("/ogc/api").json()
    names = {
        p["name"] for p in api["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    }
    assert {"crs", "bbox-crs", "bbox", "commune", "theme", "kind", "status"} <= names
    one = api["paths"]["/collections/{collectionId}/items/{featureId}"]["get"]["parameters"]
    assert "crs" in {p["name"] for p in one}
    assert "/collections/{collectionId}/queryables" in api["paths"]


# ------------------------------------------------------------------ coordinates


def test_lambert93_within_a_centimetre_of_proj(client, demo):
    response = _items(client, crs=LAMBERT93)
    assert response["Content-Crs"] == f"<{LAMBERT93}>"
    features = response.json()["features"]
    stored = _stored_points(demo)
    assert len(features) == len(stored) > 100
    to_lambert = _to(2154)
    for feature in features:
        lon, lat = stored[feature["id"]]
        x, y = to_lambert.transform(lon, lat)
        fx, fy = feature["geometry"]["coordinates"]
        assert abs(fx - x) <= CENTIMETRE and abs(fy - y) <= CENTIMETRE
        assert 600_000 < fx < 1_300_000 and 6_000_000 < fy < 6_500_000
        assert "crs" not in feature["geometry"]  # the header says it once


@pytest.mark.parametrize("code", ["32632", "3857", "3035"])
def test_other_projected_crss_in_their_axis_order(client, demo, code):
    response = _items(client, crs=EPSG + code)
    assert response["Content-Crs"] == f"<{EPSG + code}>"
    stored = _stored_points(demo)
    transformer = _to(code)
    for feature in response.json()["features"]:
        lon, lat = stored[feature["id"]]
        expected = transformer.transform(lon, lat)  # from CRS84: lon, lat in; CRS order out
        got = feature["geometry"]["coordinates"]
        assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= CENTIMETRE
    if code == "3035":  # ETRS89 / LAEA Europe is northing first
        northing, easting = response.json()["features"][0]["geometry"]["coordinates"]
        assert 2_000_000 < northing < 2_600_000 and 3_900_000 < easting < 4_300_000


def test_epsg4326_is_latitude_first_and_crs84_longitude_first(client, demo):
    lonlat = {f["id"]: f["geometry"]["coordinates"] for f in _items(client).json()["features"]}
    explicit = _items(client, crs=ogc_crs.CRS84_URI)
    assert explicit["Content-Crs"] == f"<{ogc_crs.CRS84_URI}>"
    assert {f["id"]: f["geometry"]["coordinates"] for f in explicit.json()["features"]} == lonlat
    latlon = _items(client, crs=EPSG + "4326")
    assert latlon["Content-Crs"] == f"<{EPSG}4326>"
    for feature in latlon.json()["features"]:
        lat, lon = feature["geometry"]["coordinates"]
        assert [lon, lat] == lonlat[feature["id"]]
        assert 43 < lat < 45 and 6 < lon < 9


def test_shorthand_names_for_people_typing_them(client, demo):
    full = _items(client, crs=LAMBERT93, limit=5).json()["features"]
    for name in ("EPSG:2154", "epsg:2154", "[EPSG:2154]", "urn:ogc:def:crs:EPSG::2154"):
        response = _items(client, crs=name, limit=5)
        assert response["Content-Crs"] == f"<{LAMBERT93}>"
        assert response.json()["features"] == full


def test_one_feature_in_a_crs(client, demo):
    listed = _items(client, crs=LAMBERT93, limit=1).json()["features"][0]
    one = client.get(f"{ITEMS}/{listed['id']}", {"crs": LAMBERT93})
    assert one.status_code == 200 and one["Content-Crs"] == f"<{LAMBERT93}>"
    assert one.json()["geometry"] == listed["geometry"]
    assert client.get(f"{ITEMS}/{listed['id']}")["Content-Crs"] == f"<{ogc_crs.CRS84_URI}>"
    commune = client.get("/ogc/collections/territories/items/nice-06088", {"crs": "EPSG:2154"})
    assert commune.status_code == 200 and commune["Content-Crs"] == f"<{LAMBERT93}>"


def test_territory_outlines_within_a_centimetre_of_proj(client, demo):
    territory = Territory.objects.current().get(slug="nice-06088")
    body = client.get(f"/ogc/collections/territories/items/{territory.slug}", {"crs": LAMBERT93})
    to_lambert = _to(2154)
    stored = [xy for polygon in territory.geom.coords for ring in polygon for xy in ring]
    served = [
        xy for polygon in body.json()["geometry"]["coordinates"] for ring in polygon for xy in ring
    ]
    assert len(served) == len(stored)
    # The same vertices (rings may be turned the other way round: the right-hand rule).
    expected = [to_lambert.transform(lon, lat) for lon, lat in stored]
    for x, y in served:
        assert min(max(abs(x - ex), abs(y - ey)) for ex, ey in expected) <= CENTIMETRE


# ------------------------------------------------------------------ boxes in another CRS


def _touching_in(project, box, srid):
    """The public contributions whose location, transformed by GDAL here, touches `box`."""
    polygon = Polygon.from_bbox(box)
    return {
        str(c.pk)
        for c in _public(project)
        if c.public_geom.transform(srid, clone=True).intersects(polygon)
    }


def test_a_lambert93_bbox_selects_the_features_inside_it(client, demo):
    box = (1_030_000, 6_290_000, 1_050_000, 6_310_000)  # 20 km around Nice, in metres
    body = _items(client, bbox=",".join(map(str, box)), **{"bbox-crs": LAMBERT93}).json()
    ids = {f["id"] for f in body["features"]}
    inside = _touching_in(demo, box, 2154)
    assert inside and ids == inside and body["numberMatched"] == len(inside)
    assert len(inside) < _public(demo).count()
    # The same box in CRS84 (its corners' envelope, densified) holds at least these.
    west, south, east, north = _envelope_in_crs84(box, 2154)
    wider = _items(client, bbox=f"{west},{south},{east},{north}").json()["features"]
    assert ids <= {f["id"] for f in wider}


def _envelope_in_crs84(box, code):
    to_crs84 = pyproj.Transformer.from_crs(f"EPSG:{code}", "OGC:CRS84", always_xy=True)
    return to_crs84.transform_bounds(*box, densify_pts=50)


def test_the_same_box_in_crs84_and_epsg4326_selects_the_same_features(client, demo):
    west, south, east, north = 7.2, 43.65, 7.35, 43.75
    crs84 = _items(client, bbox=f"{west},{south},{east},{north}").json()
    latlon = _items(
        client, bbox=f"{south},{west},{north},{east}", **{"bbox-crs": EPSG + "4326"}
    ).json()
    assert crs84["features"] and crs84["features"] == latlon["features"]
    assert crs84["numberMatched"] == latlon["numberMatched"]
    # And the Lambert-93 box these degrees make holds the same features, when none lies in
    # the slivers between the two boxes' edges.
    to_lambert = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:2154", always_xy=True)
    box = to_lambert.transform_bounds(west, south, east, north, densify_pts=50)
    lambert = _items(client, bbox=",".join(map(str, box)), **{"bbox-crs": "EPSG:2154"}).json()
    crs84_ids = {f["id"] for f in crs84["features"]}
    lambert_ids = {f["id"] for f in lambert["features"]}
    assert crs84_ids <= lambert_ids
    assert lambert_ids == _touching_in(demo, box, 2154)


def test_bbox_crs_with_lambert93_output_and_a_filter(client, demo):
    box = (1_000_000, 6_280_000, 1_060_000, 6_340_000)
    body = _items(
        client,
        bbox=",".join(map(str, box)),
        crs=LAMBERT93,
        kind="proposal",
        **{"bbox-crs": LAMBERT93},
    ).json()
    assert body["features"]
    for feature in body["features"]:
        x, y = feature["geometry"]["coordinates"]
        assert box[0] <= x <= box[2] and box[1] <= y <= box[3]
        assert feature["properties"]["kind"] == "proposal"
    territories = client.get(
        "/ogc/collections/territories/items",
        {
            "bbox": ",".join(map(str, box)),
            "bbox-crs": LAMBERT93,
            "kind": "commune",
            "crs": LAMBERT93,
        },
    )
    assert territories.status_code == 200 and territories.json()["features"]
    assert "nice-06088" in {f["id"] for f in territories.json()["features"]}


# ------------------------------------------------------------------ queryables


def test_queryables_are_a_json_schema_of_the_filters(client, demo):
    response = client.get(COLLECTION + "/queryables")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["$id"].endswith("/queryables")
    properties = schema["properties"]
    assert set(properties) == {"commune", "theme", "kind", "status"}
    assert "06088" in properties["commune"]["enum"]
    assert set(properties["theme"]["enum"]) == set(demo.themes.values_list("slug", flat=True))
    assert "proposal" in properties["kind"]["enum"] and "hidden" not in properties["status"]["enum"]
    territories = client.get("/ogc/collections/territories/queryables").json()
    assert "commune" in territories["properties"]["kind"]["enum"]
    assert client.get("/ogc/collections/nowhere-contributions/queryables").status_code == 404
    page = client.get(COLLECTION + "/queryables", {"f": "html"})
    assert page.status_code == 200 and b"commune" in page.content
    assert client.get(COLLECTION + "/queryables", {"crs": "EPSG:2154"}).status_code == 400


def test_commune_filter_counts_as_the_site_api_does(client, demo):
    busiest = (
        _public(demo)
        .exclude(public_commune=None)
        .values("public_commune__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    code = busiest["public_commune__code"]
    for params in ({"commune": code}, {"commune": code, "kind": "proposal"}):
        ogc = _items(client, **params).json()
        site = client.get(f"/api/projects/{demo.slug}/contributions/", {**params, "limit": 1000})
        assert site.status_code == 200
        assert ogc["numberMatched"] == site.json()["numberMatched"]
        assert {f["id"] for f in ogc["features"]} == {f["id"] for f in site.json()["features"]}
        assert {f["properties"]["commune"] for f in ogc["features"]} == {code}
    assert _items(client, commune=code)["Content-Crs"]


def test_temporal_extent_is_the_first_and_last_item(client, demo):
    collection = client.get(COLLECTION).json()
    first, last = collection["extent"]["temporal"]["interval"][0]
    dates = sorted(
        datetime.fromisoformat(f["properties"]["created_at"])
        for f in _items(client).json()["features"]
    )
    assert first.endswith("Z") and last.endswith("Z")
    assert datetime.fromisoformat(first) == dates[0]
    assert datetime.fromisoformat(last) == dates[-1]
    # Both ends are real items: asking for each instant's interval finds it.
    assert _items(client, datetime=f"{first}/{last}").json()["numberMatched"] == len(dates)


def test_datetime_ends_are_inclusive_up_to_the_end_of_the_calendar(client, demo):
    last = max(f["properties"]["created_at"] for f in _items(client).json()["features"])
    assert _items(client, datetime=last).json()["numberMatched"] == 1
    for end in ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59Z"):
        response = client.get(ITEMS, {"datetime": f"../{end}", "limit": 1})
        assert response.status_code == 200
        assert response.json()["numberMatched"] == _public(demo).count()


def test_an_empty_collection_has_no_temporal_extent(client, demo):
    public = list(_public(demo).values_list("pk", "status"))
    try:
        Contribution.objects.filter(pk__in=[pk for pk, _s in public]).update(status="hidden")
        interval = client.get(COLLECTION).json()["extent"]["temporal"]["interval"]
        assert interval == [[None, None]]
    finally:
        for pk, status in public:
            Contribution.objects.filter(pk=pk).update(status=status)


# ------------------------------------------------------------------ bad values


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"crs": "EPSG:9999"}, "invalid_crs"),
        ({"crs": EPSG + "999999"}, "invalid_crs"),
        ({"crs": "EPSG:2154\x00"}, "invalid_crs"),
        ({"crs": "\x00"}, "invalid_crs"),
        ({"crs": "x" * 10_000}, "invalid_crs"),
        ({"crs": ""}, "invalid_crs"),
        ({"bbox-crs": "EPSG:9999", "bbox": "1,2,3,4"}, "invalid_bbox_crs"),
        ({"bbox-crs": "\x00", "bbox": "1,2,3,4"}, "invalid_bbox_crs"),
        ({"bbox-crs": "x" * 10_000, "bbox": "1,2,3,4"}, "invalid_bbox_crs"),
        ({"bbox-crs": LAMBERT93, "bbox": "1e30,1e30,2e30,2e30"}, "invalid_bbox"),
        ({"bbox-crs": LAMBERT93, "bbox": "-1e400,0,1e400,1"}, "invalid_bbox"),
        ({"bbox-crs": LAMBERT93, "bbox": "nan,6000000,1000000,6300000"}, "invalid_bbox"),
        ({"bbox-crs": LAMBERT93, "bbox": "1050000,6290000,1030000,6310000"}, "invalid_bbox"),
        ({"bbox-crs": LAMBERT93, "bbox": "7.2,43.6,7.3"}, "invalid_bbox"),
        ({"bbox-crs": EPSG + "4326", "bbox": "95,7.2,96,7.3"}, "invalid_bbox"),
        ({"bbox": "x" * 10_000}, "invalid_bbox"),
        ({"commune": "99999"}, "invalid"),
        ({"commune": "\x00"}, "invalid"),
        ({"commune": "0" * 10_000}, "invalid"),
        ({"theme": "x" * 10_000}, "invalid"),
        ({"kind": "\x00"}, "invalid"),
        ({"status": "hidden"}, "invalid"),
    ],
)
def test_bad_crs_bbox_and_filter_values_get_400(client, demo, params, code):
    response = client.get(ITEMS, params)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    if body["code"] == "nul_byte":  # refused before any view, by the site's input guard
        assert any("\x00" in value for value in params.values()) and body["detail"]
        return
    assert body["code"] == code and body["description"]
    assert len(body["description"]) < 2000  # a sentence, not the value sent back


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/territories/items",
        f"{ITEMS}/00000000-0000-0000-0000-000000000000",
        "/ogc/collections/territories/items/nice-06088",
    ],
)
def test_bad_crs_elsewhere_gets_400(client, demo, url):
    response = client.get(url, {"crs": "EPSG:9999"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_crs"


# ------------------------------------------------------------------ real clients, live

CONTRIBUTIONS = "piter-alpimed-contributions"
QGIS_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
QGIS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import Qgis, QgsApplication, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    url, typename, commune, items = sys.argv[1:5]

    def points(layer):
        return {str(f["id"]): [f.geometry().asPoint().x(), f.geometry().asPoint().y()]
                for f in layer.getFeatures()}

    result = {"version": Qgis.QGIS_VERSION_INT}
    filtered = QgsVectorLayer(f"url='{url}' typename='{typename}'", "c", "OAPIF")
    filtered.setSubsetString(f"\\"commune\\" = '{commune}'")
    result["commune"] = sorted(str(f["id"]) for f in filtered.getFeatures())
    lambert = QgsVectorLayer(
        f"url='{url}' typename='{typename}' srsname='EPSG:2154'", "c", "OAPIF"
    )
    result["oapif_crs"] = lambert.crs().authid()
    result["oapif_points"] = points(lambert)
    result["geojson_points"] = points(QgsVectorLayer(items, "items", "ogr"))
    print(json.dumps(result), flush=True)
    os._exit(0)  # QGIS 3.22 can crash while tearing down the OGR layer read over HTTP
    """
)


def _gdal_version():
    out = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True).stdout
    return tuple(int(part) for part in out.split()[1].rstrip(",").split(".")[:2])


def _qgis():
    need(
        os.path.exists("/usr/bin/python3")
        and subprocess.run(
            ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True
        ).returncode
        == 0,
        "QGIS (python3-qgis) is not installed",
    )


@pytest.fixture
def live_ogc(live_server):
    project = load_demo()
    return live_server.url + "/ogc", project


def _busiest_commune(project):
    return (
        _public(project)
        .exclude(public_commune=None)
        .values("public_commune__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["public_commune__code"]
    )


def _site_ids(project, **params):
    """The ids the site's own JSON API lists for these filters."""
    response = Client().get(
        f"/api/projects/{project.slug}/contributions/", {**params, "limit": 1000}
    )
    return {f["id"] for f in response.json()["features"]}


def _assert_within_a_centimetre(points, project):
    stored = _stored_points(project)
    assert set(points) == set(stored)
    to_lambert = _to(2154)
    for identifier, (x, y) in points.items():
        ex, ey = to_lambert.transform(*stored[identifier])
        assert abs(x - ex) <= CENTIMETRE and abs(y - ey) <= CENTIMETRE, (x, y, ex, ey)


def _ogr2ogr(*args, env=None):
    return subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gdal_oapif_filters_by_commune_on_the_server(live_ogc, tmp_path):
    url, project = live_ogc
    code = _busiest_commune(project)
    target = tmp_path / "commune.geojson"
    # GDAL reads the items' query parameters in /ogc/api and sends a simple attribute
    # filter as one of them (Part 3's queryables-query-parameters), so the server filters.
    run = _ogr2ogr(
        str(target),
        f"OAPIF:{url}",
        CONTRIBUTIONS,
        "-where",
        f"commune = '{code}'",
        env={"CPL_DEBUG": "ON"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"commune={code}" in run.stderr
    ids = {f["properties"]["id"] for f in json.loads(target.read_text())["features"]}
    assert ids and ids == _site_ids(project, commune=code)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gdal_reads_lambert93_within_a_centimetre(live_ogc, tmp_path):
    url, project = live_ogc
    items = f"{url}/collections/{CONTRIBUTIONS}/items?" + urlencode(
        {"crs": LAMBERT93, "limit": 10000}
    )
    target = tmp_path / "lambert.geojson"
    run = _ogr2ogr(str(target), f"GeoJSON:{items}")
    assert run.returncode == 0, run.stderr[-2000:]
    features = json.loads(target.read_text())["features"]
    # GDAL's GeoJSON reader makes the features' "id" their FID.
    _assert_within_a_centimetre(
        {f["properties"].get("id", f.get("id")): f["geometry"]["coordinates"] for f in features},
        project,
    )


# GDAL's OAPIF driver speaks Part 2 from GDAL 3.7 (storageCrs, the CRS open option, crs and
# bbox-crs in its requests); the system's may be older, pyogrio's own GDAL (a dependency) is
# recent. Run apart: its GDAL and PROJ are not the ones Django's GIS has loaded.
PYOGRIO_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import pyogrio
    url, layer, log, box = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON", "CPL_LOG": log})

    def points(frame):
        return {i: [g.x, g.y] for i, g in zip(frame["id"], frame.geometry)}

    lambert = pyogrio.read_dataframe(f"OAPIF:{url}", layer=layer, CRS="EPSG:2154")
    boxed = pyogrio.read_dataframe(
        f"OAPIF:{url}", layer=layer, CRS="EPSG:2154", bbox=tuple(map(float, box.split(",")))
    )
    print(json.dumps({
        "gdal": pyogrio.__gdal_version_string__,
        "crs": lambert.crs.to_string(),
        "points": points(lambert),
        "boxed": sorted(boxed["id"]),
    }))
    """
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gdal_oapif_part2_in_lambert93_with_a_lambert93_box(live_ogc, tmp_path):
    url, project = live_ogc
    version = subprocess.run(
        [sys.executable, "-c", "import json, pyogrio; print(json.dumps(pyogrio.__gdal_version__))"],
        capture_output=True,
        text=True,
    )
    need(version.returncode == 0, "pyogrio is not installed")
    # The lockfile's pyogrio bundles GDAL 3.12; its OAPIF driver speaks Part 2 from 3.7.
    assert tuple(json.loads(version.stdout)) >= (3, 7), version.stdout
    box = (1_030_000, 6_290_000, 1_050_000, 6_310_000)
    log = tmp_path / "gdal.log"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            PYOGRIO_SCRIPT,
            url,
            CONTRIBUTIONS,
            str(log),
            ",".join(map(str, box)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["crs"] == "EPSG:2154"
    _assert_within_a_centimetre(report["points"], project)
    assert report["boxed"] and set(report["boxed"]) == _touching_in(project, box, 2154)
    # GDAL asked the server for Lambert-93 and drew the box in it: no transformation of its own.
    requests = log.read_text()
    assert f"crs={LAMBERT93}" in requests and f"bbox-crs={LAMBERT93}" in requests


def _qgis_report(url, project):
    _qgis()
    items = f"{url}/collections/{CONTRIBUTIONS}/items?" + urlencode(
        {"crs": LAMBERT93, "limit": 10000}
    )
    code = _busiest_commune(project)
    result = subprocess.run(
        ["/usr/bin/python3", "-c", QGIS_SCRIPT, url, CONTRIBUTIONS, code, items],
        capture_output=True,
        text=True,
        timeout=300,
        env=QGIS_ENV,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return code, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_qgis_filters_by_commune_and_reads_lambert93(live_ogc):
    url, project = live_ogc
    code, report = _qgis_report(url, project)
    assert report["commune"] and set(report["commune"]) == _site_ids(project, commune=code)
    # QGIS reads the items in Lambert-93 (through GDAL's GeoJSON reader) to the centimetre.
    _assert_within_a_centimetre(report["geojson_points"], project)
    # QGIS's OAPIF provider asks the server for a CRS (Part 2) from QGIS 3.32 only
    # (qgis/QGIS#52366); Debian 12's 3.22 reads CRS84 and reprojects on its side.
    if report["version"] >= 33200:
        assert report["oapif_crs"] == "EPSG:2154"
        _assert_within_a_centimetre(report["oapif_points"], project)
