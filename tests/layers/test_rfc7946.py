"""Every GeoJSON the application serves or writes follows RFC 7946, checked by outside readers:
geojson-validator (structure, and no geometry under "invalid": rings by the right-hand rule,
closed, enough nodes) and GDAL's GeoJSON driver (through pyogrio), plus the standard's own
rules the validators leave out: no `crs` member, longitude before latitude, at most the
precision each output states (docs/geojson.md), `bbox` as west, south, east, north.

The project holds a point, a line, an area drawn clockwise (as a resident may draw it), an
area with a hole, and a commune whose boundary arrived clockwise (as an ESRI shapefile has
it), on the PITER ALPIMED demo."""

import json
import tempfile
from pathlib import Path

import geojson_validator
import pyogrio
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from contributions.filters import ContributionFilters
from contributions.models import Contribution, Status
from layers.diagnostic import bundle
from staff.models import Role
from tests.factories import give_role, make_user

pytestmark = pytest.mark.django_db

# Around Nice, inside the demo perimeter; degrees, written by hand.
POINT = {"type": "Point", "coordinates": [7.2620, 43.7030]}
LINE = {"type": "LineString", "coordinates": [[7.2600, 43.7000], [7.2650, 43.7040]]}
CLOCKWISE = {  # exterior ring clockwise: what RFC 7946 section 3.1.6 forbids on output
    "type": "Polygon",
    "coordinates": [
        [[7.27, 43.71], [7.27, 43.714], [7.275, 43.714], [7.275, 43.71], [7.27, 43.71]]
    ],
}
HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[7.25, 43.71], [7.256, 43.71], [7.256, 43.715], [7.25, 43.715], [7.25, 43.71]],
        [[7.252, 43.712], [7.254, 43.712], [7.254, 43.713], [7.252, 43.713], [7.252, 43.712]],
    ],
}
BOX = "7.24,43.69,7.29,43.73"
DIGITS = {"export": 7}  # ogr2ogr's RFC 7946 writer; every other output: 6


def _is_ccw(ring) -> bool:
    return shapely.LinearRing(ring).is_ccw


@pytest.fixture(scope="module")
def world(demo, django_db_blocker):
    with django_db_blocker.unblock():
        resident = make_user("rfc-resident", email="rfc@example.org")
        theme = demo.themes.first()
        made = {}
        for name, geometry in {
            "point": POINT,
            "line": LINE,
            "clockwise": CLOCKWISE,
            "holed": HOLED,
        }.items():
            made[name] = Contribution.objects.create(
                project=demo,
                geom=GEOSGeometry(json.dumps(geometry), srid=4326),
                kind="proposal",
                theme=theme,
                title=f"RFC 7946 {name}",
                description="A shape for the conformance test.",
                author=resident,
                status=Status.PUBLISHED,
            )
        # Nice's boundary written clockwise, as a shapefile import would bring it.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE territories_territory SET geom = ST_ForcePolygonCW(geom) WHERE code = %s",
                ["06088"],
            )
        type(demo).objects.filter(pk=demo.pk).update(publishes_open_data=True)
        analyst = give_role(make_user("rfc-analyst"), demo, Role.ANALYST)
        folder = Path(tempfile.mkdtemp(prefix="rfc7946-"))
        bundle.run(project=demo, filters=ContributionFilters(), output=folder / "diagnostic")
        yield {
            "project": demo,
            "made": made,
            "resident": resident,
            "analyst": analyst,
            "diagnostic": folder / "diagnostic",
        }


def test_an_area_drawn_clockwise_is_stored_counterclockwise(world):
    stored = Contribution.objects.get(pk=world["made"]["clockwise"].pk)
    assert _is_ccw(stored.geom.coords[0]) and _is_ccw(stored.public_geom.coords[0])
    holed = Contribution.objects.get(pk=world["made"]["holed"].pk)
    assert _is_ccw(holed.geom.coords[0]) and not _is_ccw(holed.geom.coords[1])


def _outputs(client, world):
    """(name, GeoJSON document) for every GeoJSON output of the project."""
    project, made = world["project"], world["made"]
    slug = project.slug
    base = f"/api/projects/{slug}"
    yield "list", client.get(f"{base}/contributions/", {"bbox": BOX, "limit": 500}).json()
    for name, item in made.items():
        yield f"detail {name}", client.get(f"{base}/contributions/{item.pk}/").json()
    clusters = client.get(f"{base}/clusters/", {"bbox": BOX, "zoom": 18}).json()
    yield "clusters", clusters
    yield "open data", _json(client.get(f"{base}/opendata.geojson", {"bbox": BOX}))
    yield "communes", _json(client.get(f"{base}/communes.geojson"))
    yield (
        "communes simplified",
        _json(client.get(f"{base}/communes.geojson", {"simplify": 50})),
    )
    nice = project.perimeter.members.get(code="06088", valid_until__isnull=True)
    for territory in (nice, project.perimeter):
        url = f"/api/territories/{territory.slug}.geojson"
        yield f"territory {territory.code}", _json(client.get(url))
        yield (
            f"territory {territory.code} simplified",
            _json(client.get(url, {"simplify": 50})),
        )
    collection = f"/ogc/collections/{slug}-contributions"
    yield "ogc items", client.get(f"{collection}/items", {"bbox": BOX, "limit": 500}).json()
    yield "ogc item", client.get(f"{collection}/items/{made['clockwise'].pk}").json()
    yield (
        "ogc territories",
        client.get("/ogc/collections/territories/items", {"bbox": BOX, "limit": 100}).json(),
    )
    yield "ogc territory", client.get(f"/ogc/collections/territories/items/{nice.slug}").json()
    for name in ("areas.geojson", "hotspots.geojson"):
        yield f"diagnostic {name}", json.loads((world["diagnostic"] / name).read_text())
    client.force_login(world["analyst"])
    export = client.get(f"{base}/export.geojson", {"bbox": BOX})
    yield "export", _json(export)
    client.force_login(world["resident"])
    mine = _json(client.get("/fr/privacy/my-data/", {"format": "json"}))
    yield (
        "my data",
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": c[key]}
                for c in mine["contributions"]
                for key in ("location", "public_location")
            ],
        },
    )


def _json(response):
    assert response.status_code == 200, (response.status_code, response.content[:300])
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)


def _geometries(document):
    features = document.get("features", [document])
    return [f["geometry"] for f in features if f.get("geometry")]


def _positions(coordinates):
    if isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for part in coordinates:
        yield from _positions(part)


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _decimals(value) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def test_every_geojson_output_conforms(client, world):
    checked = []
    for name, document in _outputs(client, world):
        assert "crs" not in document, name
        geometries = _geometries(document)
        assert geometries, f"{name}: no geometry to check"
        structure = geojson_validator.validate_structure(document)
        assert structure == {}, (name, structure)
        found = geojson_validator.validate_geometries(document)
        assert found["invalid"] == {}, (name, found["invalid"])
        digits = DIGITS.get(name, 6)
        for geometry in geometries:
            for lon, lat, *_ in _positions(geometry["coordinates"]):
                # Longitude first: in this territory longitudes (6-9°) are below latitudes (43-45°).
                assert 6 < lon < 9 and 43 < lat < 45.5, (name, lon, lat)
                assert _decimals(lon) <= digits and _decimals(lat) <= digits, (name, lon, lat)
            for polygon in _rings(geometry):
                assert _is_ccw(polygon[0]), f"{name}: exterior ring clockwise"
                assert all(not _is_ccw(hole) for hole in polygon[1:]), f"{name}: hole ccw"
        if "bbox" in document:
            west, south, east, north = document["bbox"]
            assert west <= east and south <= north, (name, document["bbox"])
        # GDAL's GeoJSON driver reads it whole, every geometry valid.
        with tempfile.NamedTemporaryFile(suffix=".geojson", mode="w") as file:
            json.dump(document, file)
            file.flush()
            frame = pyogrio.read_dataframe(file.name)
        assert len(frame) == len(document.get("features", [document])), name
        assert frame.geometry.dropna().is_valid.all(), name
        checked.append(name)
    assert len(checked) >= 20
    shapes = {g["type"] for n, d in _outputs(client, world) for g in _geometries(d)}
    assert {"Point", "LineString", "Polygon", "MultiPolygon"} <= shapes


def test_the_validator_catches_what_the_outputs_once_served():
    """The check can fail: the clockwise area as the list served it before."""
    found = geojson_validator.validate_geometries(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": CLOCKWISE}],
        }
    )
    assert found["invalid"] == {"exterior_not_ccw": [0]}
