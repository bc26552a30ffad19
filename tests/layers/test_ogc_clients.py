"""Real GIS clients against a live server: GDAL's OAPIF driver and QGIS (headless)."""

import json
import os
import subprocess
import textwrap

import pytest

from contributions.models import Contribution
from mapping.demo import load_demo
from tests.conftest import need

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QGIS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from qgis.core import QgsApplication, QgsFeatureRequest, QgsRectangle, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(
        f"url='{sys.argv[1]}' typename='piter-alpimed-contributions'", "c", "OAPIF"
    )
    result = {"valid": layer.isValid()}
    if layer.isValid():
        result["ids"] = [str(f["id"]) for f in layer.getFeatures()]
        result["fields"] = [f.name() for f in layer.fields()]
        result["crs"] = layer.crs().authid()
        rect = QgsRectangle(*map(float, sys.argv[2].split(",")))
        request = QgsFeatureRequest().setFilterRect(rect)
        result["in_rect"] = [str(f["id"]) for f in layer.getFeatures(request)]
    print(json.dumps(result))
    app.exitQgis()
    """
)


@pytest.fixture
def demo_live(live_server):
    project = load_demo()
    public = {
        str(i)
        for i in Contribution.objects.public().filter(project=project).values_list("id", flat=True)
    }
    return live_server.url + "/ogc", project, public


def test_gdal_lists_collections_and_pages_through_every_feature(demo_live, tmp_path):
    url, _project, public = demo_live
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{url}"], capture_output=True, text=True, timeout=120
    )
    assert "piter-alpimed-contributions" in listing.stdout and "territories" in listing.stdout
    target = tmp_path / "all.geojson"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(target),
            f"OAPIF:{url}",
            "piter-alpimed-contributions",
            "-oo",
            "PAGE_SIZE=45",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    features = json.loads(target.read_text())["features"]
    assert {f["properties"]["id"] for f in features} == public


def test_qgis_reads_the_collection_and_its_bbox(demo_live):
    url, _project, public = demo_live
    need(
        os.path.exists("/usr/bin/python3")
        and subprocess.run(
            ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True
        ).returncode
        == 0,
        "QGIS (python3-qgis) is not installed",
    )
    bbox = (7.2, 43.65, 7.35, 43.75)
    result = subprocess.run(
        ["/usr/bin/python3", "-c", QGIS_SCRIPT, url, ",".join(map(str, bbox))],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["valid"], result.stderr[-2000:]
    assert set(report["ids"]) == public
    assert {"title", "kind", "theme", "status", "commune"} <= set(report["fields"])
    assert report["crs"] == "EPSG:4326"
    inside = {
        str(c.pk)
        for c in Contribution.objects.public()
        if bbox[0] <= c.geom.x <= bbox[2] and bbox[1] <= c.geom.y <= bbox[3]
    }
    assert inside and set(report["in_rect"]) == inside
