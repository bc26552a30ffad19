"""TileJSON and the MapLibre style of a project's contribution tiles: complete, true to the
tiles, valid by the style specification's own validator, and read by real clients (GDAL's MVT
driver, QGIS headless, which draws the styled tiles to a PNG under artifacts/screenshots/)."""

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import LineString, Polygon

from contributions.models import Contribution, Status, Theme
from layers import grid
from mapping.demo import load_demo
from tests.conftest import ARTIFACTS, ROOT, need

TOOLS = ROOT / "tools"
VALIDATOR = TOOLS / "node_modules" / ".bin" / "gl-style-validate"
TYPES = {bool: "Boolean", int: "Number", float: "Number", str: "String"}


def tile_of(lon, lat, z):
    x, y = grid.to_mercator(lon, lat)
    size = grid.cell_size(z)
    return z, int((x + grid.ORIGIN) // size), int((grid.ORIGIN - y) // size)


def tilejson(client, slug="piter-alpimed", **params):
    response = client.get(f"/tiles/{slug}/tiles.json", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def style(client, slug="piter-alpimed", **params):
    response = client.get(f"/tiles/{slug}/style.json", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def local(url):
    """The path and query of an absolute address the test client can ask."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.django_db
def test_the_tilejson_has_what_the_specification_requires(client, demo):
    doc = tilejson(client, lang="it")
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == ["http://testserver/tiles/piter-alpimed/{z}/{x}/{y}.pbf"]
    assert doc["scheme"] == "xyz"
    assert (doc["minzoom"], doc["maxzoom"]) == (6, 19)  # LEAFLET_CONFIG's MIN_ZOOM, MAX_ZOOM
    assert doc["name"] == "PITER ALPIMED: il territorio di domani"
    assert doc["description"].startswith("Proposte, segnalazioni")
    assert "ISTAT" in doc["attribution"]
    west, south, east, north = doc["bounds"]
    box = demo.perimeter.geom.extent
    assert [west, south, east, north] == pytest.approx(box, abs=1e-5)
    lon, lat, zoom = doc["center"]
    assert west < lon < east and south < lat < north and 6 <= zoom <= 10
    layers = {layer["id"]: layer for layer in doc["vector_layers"]}
    assert set(layers) == {"contributions", "communes", "perimeter"}
    assert layers["contributions"]["fields"]["theme"] == "String"
    assert layers["contributions"]["fields"]["cluster"] == "Boolean"
    assert layers["communes"]["fields"]["population"] == "Number"
    assert all(isinstance(layer["description"], str) for layer in layers.values())
    assert tilejson(client, lang="en")["name"] == "PITER ALPIMED: tomorrow's territory"


@pytest.mark.django_db
def test_the_declared_fields_are_those_the_tiles_carry(client, demo):
    """Clusters at a low zoom, contributions themselves (points, lines, areas) closer: every
    property of every feature is declared, with its type."""
    declared = {layer["id"]: layer["fields"] for layer in tilejson(client)["vector_layers"]}
    target = Contribution.objects.public().filter(project=demo).first()
    lon, lat = target.public_geom.point_on_surface.coords
    seen = set()
    for z, x, y in (tile_of(7.4, 43.9, 8), tile_of(lon, lat, 16)):
        response = client.get(f"/tiles/piter-alpimed/{z}/{x}/{y}.pbf")
        assert response.status_code == 200
        for name, layer in mapbox_vector_tile.decode(response.content).items():
            for feature in layer["features"]:
                for key, value in feature["properties"].items():
                    assert TYPES[type(value)] == declared[name][key], (name, key, value)
                    seen.add((name, key))
    assert ("contributions", "cluster") in seen and ("contributions", "status") in seen


@pytest.mark.django_db
def test_gdal_reads_a_tile_the_tilejson_describes(client, demo, tmp_path):
    doc = tilejson(client)
    lon, lat, zoom = doc["center"]
    z, x, y = tile_of(lon, lat, zoom)
    url = doc["tiles"][0].format(z=z, x=x, y=y)
    response = client.get(local(url))
    assert response.status_code == 200
    target = tmp_path / str(z) / str(x) / f"{y}.pbf"
    target.parent.mkdir(parents=True)
    target.write_bytes(response.content)
    metadata = tmp_path / "tiles.json"
    metadata.write_text(json.dumps(doc))
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", "-oo", f"METADATA_FILE={metadata}", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    contributions = result.stdout.split("Layer name: contributions")[1].split("Layer name:")[0]
    assert "Feature Count: 0" not in contributions
    # The fields come from the TileJSON: a cluster tile has no status nor vote_count.
    assert "status: String" in contributions and "vote_count: Real" in contributions
    assert "Layer name: communes" in result.stdout


@pytest.mark.django_db
def test_the_style_draws_the_basemap_under_and_each_theme_in_its_colour(client, demo):
    doc = style(client, lang="fr")
    assert doc["version"] == 8
    assert doc["name"] == "PITER ALPIMED : le territoire de demain"
    sources = doc["sources"]
    assert sources["contributions"]["url"] == (
        "http://testserver/tiles/piter-alpimed/tiles.json?lang=fr"
    )
    territory = sources["territory"]["tiles"][0]
    assert territory.startswith("http://testserver/basemap/territory/{z}/{x}/{y}.pbf?lang=fr&")
    ids = [layer["id"] for layer in doc["layers"]]
    assert ids.index("communes-fill") < ids.index("communes-outline") < ids.index("clusters")
    last_territory = max(
        i for i, layer in enumerate(doc["layers"]) if layer.get("source") == "territory"
    )
    first_contribution = min(
        i for i, layer in enumerate(doc["layers"]) if layer.get("source") == "contributions"
    )
    assert last_territory < first_contribution
    colours = {
        layer["metadata"]["theme"]: layer["paint"]["circle-color"]
        for layer in doc["layers"]
        if layer["id"].startswith("points-")
    }
    assert colours == dict(Theme.objects.filter(project=demo).values_list("slug", "colour"))
    assert {layer["id"].split("-")[0] for layer in doc["layers"]} >= {"areas", "lines", "points"}
    # The tiles and TileJSON it names answer.
    assert client.get(local(sources["contributions"]["url"])).status_code == 200
    z, x, y = tile_of(7.4, 43.9, 9)
    assert client.get(local(territory.format(z=z, x=x, y=y))).status_code == 200
    legend = {item["theme"]: item["name"] for item in doc["metadata"]["mapping:legend"]}
    assert len(legend) == len(colours)
    Theme.objects.filter(project=demo, slug=next(iter(colours))).update(colour="#123456")
    again = style(client, lang="fr")
    assert "#123456" in json.dumps(again["layers"])


@pytest.mark.django_db
def test_the_style_validates_against_the_maplibre_specification(client, demo, tmp_path):
    need(VALIDATOR.is_file(), "tools/node_modules has no gl-style-validate: run `make lint` once")
    need(shutil.which("npx"), "npx (Node.js) is not installed")
    for lang in ("fr", "it", "en"):
        target = tmp_path / f"style-{lang}.json"
        target.write_text(json.dumps(style(client, lang=lang)))
        result = subprocess.run(
            ["npx", "--no-install", "gl-style-validate", str(target)],
            cwd=TOOLS,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_names_follow_the_language_and_fall_back_sanely(client, demo):
    assert style(client, lang="it")["metadata"]["mapping:language"] == "it"
    # A language the site lacks: the request's language, else the default; never an error.
    unknown = style(client, lang="xx")
    assert unknown["metadata"]["mapping:language"] == "fr"
    assert "lang=fr" in unknown["sources"]["territory"]["tiles"][0]
    assert tilejson(client, lang="xx")["name"] == "PITER ALPIMED : le territoire de demain"
    english = client.get("/tiles/piter-alpimed/style.json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["metadata"]["mapping:language"] == "en"
    assert english["Cache-Control"].startswith("private")
    assert style(client, lang="IT-ch")["metadata"]["mapping:language"] == "it"


@pytest.mark.django_db
@pytest.mark.parametrize("document", ["tiles.json", "style.json", "style.qml"])
def test_bad_input_is_a_clear_4xx(client, demo, document):
    assert client.get(f"/tiles/no-such-project/{document}").status_code == 404
    for params in ({"lang": "x" * 5000}, {"lang": "fr", "colour": "red"}, {"lang": "\x00"}):
        response = client.get(f"/tiles/piter-alpimed/{document}", params)
        assert 400 <= response.status_code < 500, (params, response.status_code)
    for lang in ("'; DROP TABLE x; --", "é漢字🙂\u202e", "", "../../etc"):
        response = client.get(f"/tiles/piter-alpimed/{document}", {"lang": lang})
        assert response.status_code in (200, 400), (lang, response.status_code)


QGIS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from qgis.core import (
        QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsDataSourceUri,
        QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRectangle, QgsVectorTileLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    tiles, style_url, bounds, image, qml = sys.argv[1:6]
    app = QgsApplication([], False)
    app.initQgis()
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", tiles)
    uri.setParam("zmin", sys.argv[6])
    uri.setParam("zmax", sys.argv[7])
    qml_in = sys.argv[8] if len(sys.argv) > 8 else ""
    if style_url:
        uri.setParam("styleUrl", style_url)
    layer = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), "contributions")
    if qml_in:
        message, loaded = layer.loadNamedStyle(qml_in)
    else:
        # What QGIS does when it adds a vector tile layer: the default style, from styleUrl.
        message, loaded = layer.loadDefaultStyle()
    report = {"valid": layer.isValid(), "style_loaded": loaded, "style_message": message}
    renderer = layer.renderer()
    report["renderer"] = renderer.type() if renderer else None
    styles = renderer.styles() if renderer else []
    report["styles"] = [
        {"name": s.styleName(), "layer": s.layerName(), "filter": s.filterExpression(),
         "geometry": int(s.geometryType()),
         "colour": s.symbol().color().name() if s.symbol() else None}
        for s in styles
    ]
    labeling = layer.labeling()
    report["labels"] = [s.layerName() for s in labeling.styles()] if labeling else []
    layer.saveNamedStyle(qml)
    QgsProject.instance().addMapLayer(layer)
    settings = QgsMapSettings()
    settings.setLayers([layer])
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    settings.setDestinationCrs(mercator)
    west, south, east, north = map(float, bounds.split(","))
    box = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()
    ).transformBoundingBox(QgsRectangle(west, south, east, north))
    settings.setExtent(box)
    settings.setOutputSize(QSize(1100, 900))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(image, "PNG")
    report["errors"] = [e.message for e in job.errors()]
    print(json.dumps(report))
    app.exitQgis()
    """
)


def need_qgis():
    need(
        os.path.exists("/usr/bin/python3")
        and subprocess.run(
            ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True
        ).returncode
        == 0,
        "QGIS (python3-qgis) is not installed",
    )


def _qgis(url, style_url, bounds, image, qml, zooms, qml_in=""):
    result = subprocess.run(
        [
            "/usr/bin/python3",
            "-c",
            QGIS_SCRIPT,
            url,
            style_url,
            ",".join(map(str, bounds)),
            str(image),
            str(qml),
            *map(str, zooms),
            str(qml_in),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


@pytest.fixture
def live_world(live_server, transactional_db):
    """The demo (again: a live server's test flushes the database after it, so these tests
    come last) with a line and an area among the points of Nice, and the server's address."""
    return demo_with_shapes(), live_server.url


def demo_with_shapes():
    project = load_demo()
    themes_in_order = list(project.themes.order_by("position"))
    Contribution.objects.create(
        project=project,
        kind="proposal",
        theme=themes_in_order[0],
        title="Piste cyclable le long du Paillon",
        status=Status.PUBLISHED,
        geom=LineString((7.2620, 43.7030), (7.2700, 43.7060), (7.2790, 43.7110), srid=4326),
    )
    Contribution.objects.create(
        project=project,
        kind="report",
        theme=themes_in_order[-1],
        title="Friche à réaménager",
        status=Status.PUBLISHED,
        geom=Polygon(
            ((7.2500, 43.7100), (7.2560, 43.7100), (7.2560, 43.7140), (7.2500, 43.7100)),
            srid=4326,
        ),
    )
    return project


NICE = (7.245, 43.695, 7.285, 43.718)  # the line, the area and points around them


@pytest.mark.slow
def test_qgis_opens_the_tiles_with_the_style_and_draws_them(live_world):
    demo, base = live_world
    need_qgis()
    import requests

    doc = requests.get(f"{base}/tiles/piter-alpimed/tiles.json?lang=fr", timeout=30).json()
    style_url = f"{base}/tiles/piter-alpimed/style.json?lang=fr"
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    image, qml = folder / "tile_style_qgis.png", folder / "tile_style_qgis.qml"
    report, stderr = _qgis(
        doc["tiles"][0],
        style_url,
        doc["bounds"],
        image,
        qml,
        (doc["minzoom"], doc["maxzoom"]),
    )
    assert report["valid"], stderr[-3000:]
    assert report["renderer"] == "basic"
    by_name = {s["name"]: s for s in report["styles"]}
    # Not QGIS's default (one style per geometry type, no layer): the style's rules.
    themes = dict(Theme.objects.filter(project=demo).values_list("slug", "colour"))
    for slug, colour in themes.items():
        rule = by_name[f"points-{slug}"]
        assert rule["layer"] == "contributions" and slug in rule["filter"], rule
        assert rule["colour"] == colour.lower(), rule
    assert by_name["communes-outline"]["layer"] == "communes"
    assert "contributions" in report["labels"]  # the clusters' counts
    assert list(by_name).index("communes-fill") < list(by_name).index("clusters")
    assert image.stat().st_size > 10_000 and "<qgis" in qml.read_text()
    assert not report["errors"], report["errors"]
    # Close enough for the contributions themselves: points, the line and the area.
    close, _stderr = _qgis(
        doc["tiles"][0],
        style_url,
        NICE,
        folder / "tile_style_qgis_close.png",
        Path("/tmp") / "tile_style_close.qml",
        (doc["minzoom"], doc["maxzoom"]),
    )
    assert close["valid"] and not close["errors"]


@pytest.mark.slow
def test_qgis_draws_the_tiles_with_the_qml_file_alike(live_world, tmp_path):
    need_qgis()
    import requests

    demo, base = live_world
    doc = requests.get(f"{base}/tiles/piter-alpimed/tiles.json", timeout=30).json()
    response = requests.get(f"{base}/tiles/piter-alpimed/style.qml", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml"
    assert "piter-alpimed-tiles.qml" in response.headers["Content-Disposition"]
    path = tmp_path / "tiles.qml"
    path.write_bytes(response.content)
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    report, stderr = _qgis(
        doc["tiles"][0],
        "",
        NICE,
        folder / "tile_style_qgis_qml.png",
        tmp_path / "saved.qml",
        (doc["minzoom"], doc["maxzoom"]),
        path,
    )
    assert report["valid"] and report["style_loaded"], (report, stderr[-3000:])
    by_name = {s["name"]: s for s in report["styles"]}
    themes = dict(Theme.objects.filter(project=demo).values_list("slug", "colour"))
    style_layers = requests.get(f"{base}/tiles/piter-alpimed/style.json", timeout=30).json()
    drawn = [
        layer["id"]
        for layer in style_layers["layers"]
        if layer["type"] in ("fill", "line", "circle")
    ]
    assert list(by_name) == drawn  # the same rules, in the same order
    for slug, colour in themes.items():
        for kind, geometry in (("points", 0), ("lines", 1), ("areas", 2)):
            rule = by_name[f"{kind}-{slug}"]
            assert rule["layer"] == "contributions" and rule["geometry"] == geometry, rule
            assert f"\"theme\" = '{slug}'" in rule["filter"], rule
            assert rule["colour"] == colour.lower(), rule
    assert by_name["clusters"]["filter"] == '"cluster" IS TRUE'
    assert not report["errors"], report["errors"]
