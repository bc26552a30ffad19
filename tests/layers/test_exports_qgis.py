"""Exports as a GIS technician opens them: in QGIS (headless), styled by theme, one layer per
geometry type, documented (metadata read by ogrinfo), in the CRS asked for, named after it,
and a QGIS project whose every layer loads."""

import json
import os
import re
import sqlite3
import subprocess
import textwrap
import zipfile

import pyproj
import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.management import CommandError

from contributions.models import Contribution, Status
from tests.conftest import ARTIFACTS, need
from tests.layers.test_exports import export, layers, ogrinfo

pytestmark = pytest.mark.django_db
QGIS_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
HOSTILE_CRS = ["EPSG:999999", "EPSG:2154\x00", "\x002154", "9" * 10_000, "EPSG:2154; DROP", "5773"]
CONTRIBUTION_LAYERS = {"contributions_points", "contributions_lines", "contributions_areas"}


def qgis_available():
    return (
        os.path.exists("/usr/bin/python3")
        and subprocess.run(
            ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True
        ).returncode
        == 0
    )


def run_qgis(script, *args):
    need(qgis_available(), "QGIS (python3-qgis) is not installed")
    done = subprocess.run(
        ["/usr/bin/python3", "-c", textwrap.dedent(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=QGIS_ENV,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def shapes(demo, django_db_blocker):
    """A line and an area, committed (ogr2ogr reads through its own connection); the demo
    has points."""
    with django_db_blocker.unblock():
        themes = list(demo.themes.order_by("position"))
        line = Contribution.objects.create(
            project=demo,
            kind="proposal",
            theme=themes[0],
            title="Piste cyclable le long du Paillon",
            status=Status.PUBLISHED,
            geom=LineString((7.2620, 43.7030), (7.2700, 43.7060), (7.2790, 43.7110), srid=4326),
        )
        area = Contribution.objects.create(
            project=demo,
            kind="report",
            theme=themes[-1],
            title="Friche à réaménager",
            status=Status.PUBLISHED,
            geom=Polygon(
                ((7.2500, 43.7100), (7.2560, 43.7100), (7.2560, 43.7140), (7.2500, 43.7100)),
                srid=4326,
            ),
        )
        # Duplicates: the line repeats the area (public), the area a hidden point.
        hidden = Contribution.objects.create(
            project=demo,
            kind="report",
            theme=themes[0],
            title="Masquée par la modération",
            status=Status.HIDDEN,
            geom=Point(7.2650, 43.7050, srid=4326),
        )
        Contribution.objects.filter(pk=line.pk).update(duplicate_of=area)
        Contribution.objects.filter(pk=area.pk).update(duplicate_of=hidden)
    yield {"line": line, "area": area, "hidden": hidden}
    with django_db_blocker.unblock():
        Contribution.objects.filter(pk__in=[line.pk, area.pk]).update(duplicate_of=None)
        Contribution.objects.filter(pk__in=[line.pk, area.pk, hidden.pk]).delete()


INSPECT = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
report = {}
for name in sys.argv[2].split(","):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    renderer = layer.renderer() if layer.isValid() else None
    report[name] = {
        "valid": layer.isValid(),
        "renderer": type(renderer).__name__ if renderer else None,
        "attribute": renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        "categories": {c.value(): c.symbol().color().name() for c in renderer.categories()}
        if hasattr(renderer, "categories") else {},
        "labels": layer.labelsEnabled() and layer.labeling() is not None
        and layer.labeling().settings().fieldName == "title",
        "count": layer.featureCount(),
        "crs": layer.crs().authid(),
        "geometry": layer.geometryType(),
        "title": layer.metadata().title(),
        "alias": layer.attributeAlias(layer.fields().indexOf("created_at")),
        "abstract": layer.metadata().abstract(),
    }
print(json.dumps(report), flush=True)
os._exit(0)  # QGIS may crash tearing down layers still alive; the report is out
"""


@pytest.mark.parametrize(("srid", "public"), [(2154, False), (32632, True)])
def test_qgis_opens_three_geometry_layers_categorised_by_theme(
    demo, shapes, tmp_path, srid, public
):
    path = tmp_path / "styled.gpkg"
    export(path, "gpkg", srid, *(["--public"] if public else []))
    report = run_qgis(INSPECT, path, ",".join(sorted(CONTRIBUTION_LAYERS)))
    colours = {theme.slug: theme.colour.lower() for theme in demo.themes.all()}
    rows = Contribution.objects.filter(project=demo)
    if public:
        rows = rows.public()
    expected = {
        "contributions_points": (rows.count() - 2, 0),  # all but the line and the area
        "contributions_lines": (1, 1),
        "contributions_areas": (1, 2),
    }
    for name, (count, geometry) in expected.items():
        layer = report[name]
        assert layer["valid"], name
        assert layer["renderer"] == "QgsCategorizedSymbolRenderer", name
        assert layer["attribute"] == "theme"
        assert layer["categories"] == colours  # the public map's theme colours
        assert layer["labels"], name
        assert (layer["count"], layer["geometry"]) == (count, geometry)
        assert layer["crs"] == f"EPSG:{srid}"
        assert layer["title"] and "piter-alpimed" in layer["abstract"]  # gpkg_contents
        assert layer["alias"] not in ("", "created_at")  # the column's name for people


def test_layers_have_labels_beside_codes_and_descriptions(demo, shapes, tmp_path):
    path = tmp_path / "typed.gpkg"
    export(path, "gpkg", 2154, "--language", "fr")
    summaries = layers(path)
    assert set(summaries) >= CONTRIBUTION_LAYERS | {"communes", "perimeter"}
    summary = summaries["contributions_lines"]
    for column in (
        "status_label",
        "kind_label",
        "channel_label",
        "location_precision",
        "duplicate_of",
        "moderation",
        "moderation_label",
    ):
        assert re.search(rf"^{column}: String", summary, re.MULTILINE), column
    dump = ogrinfo("-al", path, "contributions_lines")
    assert "status_label (String) = publiée" in dump or "status_label (String) = publié" in dump
    with sqlite3.connect(path) as db:
        contents = dict(
            db.execute(
                "SELECT table_name, description FROM gpkg_contents WHERE description <> ''"
            ).fetchall()
        )
        styles = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, useAsDefault, styleSLD FROM layer_styles"
        ).fetchall()
    assert set(contents) >= CONTRIBUTION_LAYERS
    assert {row[2] for row in styles} == CONTRIBUTION_LAYERS | {
        "communes",
        "perimeter",
        "results",
        "partner_projects",
    }
    assert all(row[0] == row[1] == "" and row[3] == "geom" and row[5] == 1 for row in styles)
    assert all("StyledLayerDescriptor" in row[6] for row in styles)


def test_public_geopackage_has_no_moderation_or_personal_data(demo, shapes, tmp_path):
    path = tmp_path / "public.gpkg"
    export(path, "gpkg", 2154, "--public")
    for name in CONTRIBUTION_LAYERS:
        summary = layers(path)[name]
        for private in ("email", "author_id", "moderation", "abuse_reports"):
            assert not re.search(rf"^{private}\b", summary, re.MULTILINE), (name, private)
    # A duplicate names its original only when the public may see that one too.
    pyogrio = pytest.importorskip("pyogrio")
    table = pyogrio.read_dataframe(path, layer="contributions", read_geometry=False)
    originals = dict(zip(table["id"], table["duplicate_of"], strict=True))
    assert originals[str(shapes["line"].pk)] == str(shapes["area"].pk)
    assert not isinstance(originals[str(shapes["area"].pk)], str)  # null
    assert str(shapes["hidden"].pk) not in set(originals) | set(originals.values())
    staff = tmp_path / "staff.gpkg"
    export(staff, "gpkg", 2154)
    table = pyogrio.read_dataframe(staff, layer="contributions", read_geometry=False)
    originals = dict(zip(table["id"], table["duplicate_of"], strict=True))
    assert originals[str(shapes["area"].pk)] == str(shapes["hidden"].pk)
    assert {"public", "hidden"} <= set(table["moderation"]) <= {"public", "hidden", "pending"}
    iso = (tmp_path / "public.xml").read_text(encoding="utf-8")
    assert "MD_Metadata" in iso and "EPSG:2154" in iso and "ODbL" in iso
    assert "westBoundLongitude" in iso


def test_metadata_is_readable_with_ogrinfo(demo, shapes, tmp_path):
    path = tmp_path / "documented.gpkg"
    export(path, "gpkg", 2154, "--public")
    info = ogrinfo("-so", path)
    for key in ("TITLE=", "ABSTRACT=", "LICENSE=ODbL-1.0", "DATE=", "SOURCE=", "CONTACT="):
        assert key in info, key
    assert "EPSG:2154" in info
    with sqlite3.connect(path) as db:
        scopes = db.execute("SELECT reference_scope FROM gpkg_metadata_reference").fetchall()
    assert ("geopackage",) in scopes


def test_lambert_93_coordinates_within_a_centimetre_and_the_crs_in_the_name(demo, shapes, tmp_path):
    message = export(f"{tmp_path}/", "gpkg", "EPSG:2154")
    path = tmp_path / "piter-alpimed_contributions_EPSG2154.gpkg"
    assert path.exists() and str(path) in message
    to_l93 = pyproj.Transformer.from_crs(4326, 2154, always_xy=True)
    for name, contribution in (
        ("contributions_lines", shapes["line"]),
        ("contributions_areas", shapes["area"]),
    ):
        contribution.refresh_from_db()  # as stored (rings may be reoriented on write)
        text = ogrinfo("-where", f"id='{contribution.pk}'", path, name)
        numbers = re.search(r"(LINESTRING|POLYGON) \(+([^)]*)\)", text).group(2)
        got = [tuple(map(float, pair.split())) for pair in numbers.split(",")]
        for (lon, lat), (x, y) in zip(
            contribution.geom.coords[0] if name.endswith("areas") else contribution.geom.coords,
            got,
            strict=True,
        ):
            ex, ey = to_l93.transform(lon, lat)
            assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01


def test_every_format_named_after_its_crs(demo, shapes, tmp_path):
    for fmt, srid in (("fgb", 32632), ("csv", 3035), ("shp", 2154)):
        folder = tmp_path / fmt
        folder.mkdir()
        if fmt == "shp":
            with pytest.raises(CommandError, match="Shapefile"):
                export(f"{folder}/", fmt, srid)  # lines and areas mixed with points
            continue
        export(f"{folder}/", fmt, srid)
        suffix = {"fgb": ".fgb", "csv": ".csv"}[fmt]
        assert (folder / f"piter-alpimed_contributions_EPSG{srid}{suffix}").exists()
    header = (
        (tmp_path / "csv" / "piter-alpimed_contributions_EPSG3035.csv").read_text().split("\n")[0]
    )
    assert header.startswith("geometry,") or ",geometry" in header


@pytest.mark.parametrize("crs", HOSTILE_CRS)
def test_hostile_crs_is_a_command_error(demo, tmp_path, crs):
    with pytest.raises(CommandError, match="EPSG"):
        export(tmp_path / "x.gpkg", "gpkg", crs)
    assert not list(tmp_path.iterdir())


RENDER = """
import json, os, sys
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings,
                       QgsMapRendererParallelJob, QgsRectangle)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
app = QgsApplication([], False)
app.initQgis()
path, png = sys.argv[1], sys.argv[2]
names = ["perimeter", "communes", "contributions_areas", "contributions_lines",
         "contributions_points"]
loaded = [QgsVectorLayer(f"{path}|layername={n}", n, "ogr") for n in names]
settings = QgsMapSettings()
settings.setLayers(list(reversed(loaded)))
settings.setDestinationCrs(loaded[0].crs())
extent = QgsRectangle(loaded[0].extent())
extent.scale(1.05)
settings.setExtent(extent)
settings.setOutputSize(QSize(1400, 1000))
settings.setBackgroundColor(QColor("white"))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(png, "PNG")
coloured = sum(
    1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    if QColor(image.pixel(x, y)).saturation() > 80
)
print(json.dumps({"valid": [l.isValid() for l in loaded], "coloured": coloured}), flush=True)
os._exit(0)
"""


def test_qgis_renders_the_styled_geopackage(demo, shapes, tmp_path):
    path = tmp_path / "render.gpkg"
    export(path, "gpkg", 2154)
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    report = run_qgis(RENDER, path, str(folder / "gpkg_style_qgis.png"))
    assert all(report["valid"])
    assert report["coloured"] > 100  # theme colours, not the default single grey or random


QGZ = """
import json, os, sys
from qgis.core import QgsApplication, QgsProject
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
layers = {
    layer.name(): {
        "valid": layer.isValid(),
        "provider": layer.providerType(),
        "renderer": type(layer.renderer()).__name__ if hasattr(layer, "renderer") else None,
        "crs": layer.crs().authid(),
        "source": layer.source(),
    }
    for layer in project.mapLayers().values()
}
print(json.dumps({"ok": ok, "crs": project.crs().authid(), "layers": layers}), flush=True)
os._exit(0)
"""


def test_qgis_project_loads_with_every_layer_valid(demo, shapes, tmp_path, live_server):
    # The live layer reads the project's OGC API - Features on a running server.
    message = export(f"{tmp_path}/", "qgis", 2154, "--base-url", live_server.url)
    qgz = tmp_path / "piter-alpimed_contributions_EPSG2154.qgz"
    assert qgz.exists() and str(qgz) in message
    assert (tmp_path / "piter-alpimed_contributions_EPSG2154.gpkg").exists()
    with zipfile.ZipFile(qgz) as archive:
        qgs = next(name for name in archive.namelist() if name.endswith(".qgs"))
        text = archive.read(qgs).decode()
    assert f"{live_server.url}/ogc" in text and "OAPIF" in text
    report = run_qgis(QGZ, qgz)
    assert report["ok"] and report["crs"] == "EPSG:2154"
    names = report["layers"]
    file_layers = {n: v for n, v in names.items() if v["provider"] == "ogr"}
    assert len(file_layers) == 5
    for name, layer in file_layers.items():
        assert layer["valid"], name
    categorised = [
        v for v in file_layers.values() if v["renderer"] == "QgsCategorizedSymbolRenderer"
    ]
    assert len(categorised) == 3
    live = [v for v in names.values() if v["provider"] == "OAPIF"]
    assert len(live) == 1 and "piter-alpimed-contributions" in live[0]["source"]
    assert live[0]["valid"]


def test_a_qgis_project_is_a_qgz(demo, tmp_path):
    with pytest.raises(CommandError, match=r"\.qgz"):
        export(tmp_path / "project.gpkg", "qgis", 2154)
    assert not list(tmp_path.iterdir())


VALIDATE_GPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"


def test_the_geopackage_passes_gdals_validator(demo, shapes, tmp_path):
    """GDAL's GeoPackage validator (python3-gdal): the styles, metadata and the attributes
    table added after ogr2ogr keep the file a valid GeoPackage."""
    need(os.path.exists(VALIDATE_GPKG), "GDAL's validate_gpkg.py (python3-gdal) is not installed")
    path = tmp_path / "valid.gpkg"
    export(path, "gpkg", 2154)
    done = subprocess.run(
        ["/usr/bin/python3", VALIDATE_GPKG, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = layers(path)["contributions"]
    assert re.search(r"^created_at: DateTime", summary, re.MULTILINE)
    assert re.search(r"^votes: Integer", summary, re.MULTILINE)
