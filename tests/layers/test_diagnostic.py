"""manage.py diagnostic: every file read back by real clients and checked against SQL."""

import csv
import io
import json
import math
import os
import shutil
import subprocess
import textwrap

import numpy as np
import pytest
import rasterio
from django.core.management import CommandError, call_command
from django.db import connection
from shapely.geometry import Point, shape

from contributions.models import PUBLIC_STATUSES, Contribution, Kind, Status
from layers.diagnostic import density
from layers.diagnostic.areas import kind_column, theme_column
from layers.diagnostic.queries import ANSWER_STATUSES, GridCounts
from tests.conftest import need, screenshot

pytestmark = pytest.mark.django_db
PLANTED = 50
PLANTED_TITLE = "planted hotspot"
SCATTERED_TITLE = "scattered point"


def _empty_communes(project):
    """(code, lon, lat) of a point inside each commune of the perimeter without contributions,
    largest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.code, ST_X(p), ST_Y(p)
            FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id
            CROSS JOIN LATERAL (SELECT ST_PointOnSurface(t.geom) AS p) s
            WHERE m.from_territory_id = %s
            AND NOT EXISTS (SELECT 1 FROM contributions_contribution c
                            WHERE ST_DWithin(c.geom::geography, p::geography, 3000))
            ORDER BY t.area_m2 DESC
            """,
            [project.perimeter_id],
        )
        return cursor.fetchall()


def _contribution(project, theme, lon, lat, title):
    from django.contrib.gis.geos import Point as GeosPoint

    return Contribution(
        project=project,
        kind=Kind.PROPOSAL,
        theme=theme,
        title=title,
        geom=GeosPoint(lon, lat, srid=4326),
        status=Status.PUBLISHED,
    )


@pytest.fixture(scope="module")
def planted(demo, django_db_blocker):
    """Committed: 50 contributions within 100 m in an empty commune, and single contributions
    kilometres apart in other empty communes."""
    with django_db_blocker.unblock():
        empty = _empty_communes(demo)
        assert len(empty) >= 6, "the demo should leave some communes without contributions"
        theme = demo.themes.get(slug="health-social")
        code, lon, lat = empty[0]
        per_degree_lon = 111_320 * math.cos(math.radians(lat))
        cluster = []
        for k in range(PLANTED):
            # A spiral within 80 m of the centre.
            angle, radius = k * 2.4, 80 * math.sqrt((k + 0.5) / PLANTED)
            cluster.append(
                (
                    lon + radius * math.cos(angle) / per_degree_lon,
                    lat + radius * math.sin(angle) / 111_320,
                )
            )
        scattered = [(x, y) for _code, x, y in empty[1:6]]
        Contribution.objects.bulk_create(
            [_contribution(demo, theme, x, y, PLANTED_TITLE) for x, y in cluster]
            + [_contribution(demo, theme, x, y, SCATTERED_TITLE) for x, y in scattered]
        )
    yield {"cluster": cluster, "scattered": scattered, "commune": code}
    with django_db_blocker.unblock():
        Contribution.objects.filter(title__in=[PLANTED_TITLE, SCATTERED_TITLE]).delete()


@pytest.fixture(scope="module")
def bundle(planted, tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("diagnostic") / "bundle"
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command(
            "diagnostic",
            "--project",
            "piter-alpimed",
            "--output",
            str(folder),
            "--no-progress",
            "--language",
            "en",
            stdout=out,
        )
    return folder, out.getvalue()


def public_count(project, **filters):
    return Contribution.objects.filter(
        project=project, status__in=PUBLIC_STATUSES, **filters
    ).count()


def test_the_command_writes_every_file_and_says_so(demo, bundle):
    folder, message = bundle
    names = {path.name for path in folder.iterdir()}
    assert names == {
        "map.html",
        "density.tif",
        "areas.geojson",
        "areas.csv",
        "hotspots.geojson",
        "summary.json",
        "report.html",
        "report.pdf",
        "qgis",
    }
    assert f"Diagnostic of {public_count(demo)} contributions of piter-alpimed" in message


# ---------------------------------------------------------------- density.tif


def test_density_is_a_float32_geotiff_in_laea_with_nodata_that_sums_to_the_points(demo, bundle):
    folder, _ = bundle
    with rasterio.open(folder / "density.tif") as raster:
        assert raster.crs.to_epsg() == 3035
        assert raster.nodata == density.NODATA
        assert raster.dtypes == ("float32",)
        values = raster.read(1, masked=True)
        cell_x, cell_y = raster.res
        assert raster.tags(1)["UNITS"] == "contributions per km2"
    assert cell_x == cell_y == 250
    assert values.mask.any() and (~values.mask).any()  # nodata outside the support
    assert values.min() >= 0
    # The stated normalisation: sum of cells x cell area (km²) = the points, no edge loss.
    mass = float(values.astype(np.float64).sum()) * (cell_x / 1000) * (cell_y / 1000)
    assert mass == pytest.approx(public_count(demo), rel=1e-5)


def test_gdalinfo_reads_the_density_crs_nodata_and_type(bundle):
    need(shutil.which("gdalinfo"), "GDAL's gdalinfo is not installed")
    folder, _ = bundle
    done = subprocess.run(
        ["gdalinfo", "-json", "-stats", str(folder / "density.tif")],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(done.stdout)
    assert 'ID["EPSG",3035]' in info["coordinateSystem"]["wkt"]
    band = info["bands"][0]
    assert band["type"] == "Float32"
    assert band["noDataValue"] == density.NODATA
    assert band["minimum"] >= 0 and band["maximum"] > 0


def test_a_point_at_the_grid_edge_keeps_its_whole_unit():
    """The kernel is normalised and the grid padded: one point weighs exactly 1."""
    counts = GridCounts(
        cell=100,
        i=np.array([50]),
        j=np.array([70]),
        theme_id=np.array([1]),
        n=np.array([1]),
        sx=np.array([5050.0]),
        sy=np.array([7050.0]),
    )
    square = textwrap.dedent("POLYGON((5000 7000, 5100 7000, 5100 7100, 5000 7100, 5000 7000))")
    from shapely import wkt

    raster = density.density_from_counts(
        counts,
        bandwidth=300,
        support_wkb=wkt.loads(square).wkb,
        support_bounds=(5000, 7000, 5100, 7100),
    )
    assert raster.mass == pytest.approx(1.0, rel=1e-6)
    assert density.gaussian_kernel(300, 100).sum() == pytest.approx(1.0)


# ---------------------------------------------------------------- areas


def expected_per_commune(project):
    """Per commune code, straight from SQL: what areas.csv must say."""
    kinds = ", ".join(f"count(*) FILTER (WHERE c.kind = '{k}')" for k in Kind.values)
    themes = list(project.themes.values_list("slug", flat=True))
    by_theme = ", ".join(f"count(*) FILTER (WHERE th.slug = '{s}')" for s in themes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.code, count(*), {kinds}, {by_theme}, sum(c.vote_count),
                   count(*) FILTER (WHERE c.answered_at IS NOT NULL OR c.status = ANY(%s))
            FROM contributions_contribution c
            JOIN territories_territory t ON t.id = c.commune_id
            JOIN contributions_theme th ON th.id = c.theme_id
            WHERE c.project_id = %s AND c.status = ANY(%s)
            GROUP BY t.code
            """,  # noqa: S608 - fixed test fragments
            [[str(s) for s in ANSWER_STATUSES], project.pk, PUBLIC_STATUSES],
        )
        rows = cursor.fetchall()
    columns = [
        "contributions",
        *(kind_column(k) for k in Kind.values),
        *(theme_column(s) for s in themes),
        "votes",
        "answered",
    ]
    return {code: dict(zip(columns, map(int, values), strict=True)) for code, *values in rows}


def test_areas_csv_counts_equal_sql(demo, bundle, planted):
    folder, _ = bundle
    with open(folder / "areas.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == demo.perimeter.members.count()
    expected = expected_per_commune(demo)
    assert expected[planted["commune"]]["contributions"] == PLANTED
    for row in rows:
        want = expected.get(row["code"])
        if want is None:
            assert row["contributions"] == "0"
            continue
        got = {key: int(row[key]) for key in want}
        assert got == want, row["code"]
        population = int(row["population"]) if row["population"] else None
        if population:
            assert float(row["per_1000_inhabitants"]) == pytest.approx(
                want["contributions"] * 1000 / population, abs=1e-3
            )
        else:
            assert row["per_1000_inhabitants"] == ""
        assert float(row["answered_share"]) == pytest.approx(
            want["answered"] / want["contributions"], abs=1e-4
        )


def test_areas_geojson_holds_the_same_rows_with_boundaries(demo, bundle):
    folder, _ = bundle
    collection = json.loads((folder / "areas.geojson").read_text())
    with open(folder / "areas.csv", encoding="utf-8") as stream:
        rows = {r["code"]: r for r in csv.DictReader(stream)}
    assert len(collection["features"]) == len(rows)
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        props = feature["properties"]
        assert str(props["contributions"]) == rows[props["code"]]["contributions"]


# ---------------------------------------------------------------- hotspots


def test_hotspots_find_the_planted_cluster_and_not_the_scattered_points(bundle, planted):
    folder, _ = bundle
    collection = json.loads((folder / "hotspots.geojson").read_text())
    shapes = [(shape(f["geometry"]), f["properties"]) for f in collection["features"]]
    holding = [
        (polygon, props)
        for polygon, props in shapes
        if all(polygon.contains(Point(x, y)) for x, y in planted["cluster"])
    ]
    assert len(holding) == 1
    polygon, props = holding[0]
    assert props["count"] == PLANTED
    assert props["dominant_theme"] == "health-social"
    assert props["dominant_share"] == 1.0
    assert props["theme_health_social"] == PLANTED
    assert polygon.area < 0.00005  # well under a square kilometre, in square degrees
    for x, y in planted["scattered"]:
        assert not any(polygon.contains(Point(x, y)) for polygon, _ in shapes)


def test_point_level_dbscan_agrees_on_the_planted_and_scattered_points(planted):
    """Exact ST_ClusterDBSCAN over every point, affordable at the demo's size."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT title, ST_ClusterDBSCAN(ST_Transform(geom, 3035), eps => 250, minpoints => 10)
                   OVER ()
            FROM contributions_contribution WHERE status = ANY(%s)
            """,
            [PUBLIC_STATUSES],
        )
        labels = cursor.fetchall()
    planted_labels = {label for title, label in labels if title == PLANTED_TITLE}
    assert len(planted_labels) == 1 and None not in planted_labels
    assert {label for title, label in labels if title == SCATTERED_TITLE} == {None}


# ---------------------------------------------------------------- summary and report


def test_summary_totals_agree_with_the_database(demo, bundle):
    folder, _ = bundle
    summary = json.loads((folder / "summary.json").read_text())
    total = public_count(demo)
    assert summary["totals"]["contributions"] == total
    assert sum(summary["by_kind"].values()) == total
    assert sum(summary["by_status"].values()) == total
    for slug, count in summary["by_theme"].items():
        assert count == public_count(demo, theme__slug=slug)
    assert summary["density"]["sum_times_cell_area"] == pytest.approx(total, rel=1e-5)
    assert summary["hotspots"]["count"] >= 1
    assert summary["parameters"]["eps_m"] == 250 and summary["parameters"]["minpoints"] == 10
    assert summary["period"]["first"] <= summary["period"]["last"]
    assert (
        summary["top_communes"][0]["contributions"] >= summary["top_communes"][-1]["contributions"]
    )


def test_report_is_one_self_contained_page_with_charts(demo, bundle):
    folder, _ = bundle
    text = (folder / "report.html").read_text()
    # Timeline, kinds, statuses, themes, themes by week, and four maps: per 1,000, the
    # smoothed rates' levels, the density, the Gi* hot and cold spots.
    assert text.count('src="data:image/png;base64,') == 9
    assert "http://" not in text and "https://" not in text
    assert f"<b>{public_count(demo)}</b>" in text
    assert '<html lang="en">' in text


# ---------------------------------------------------------------- map.html


def test_map_opens_offline_in_chromium_with_its_layers(bundle, page):
    folder, _ = bundle
    path = folder / "map.html"
    text = path.read_text()
    assert path.stat().st_size < 10 * 1024 * 1024
    # Nothing fetched: no script or style sheet from a CDN, and no tile service unless the
    # operator configured one (LEAFLET_CONFIG["TILES"]); names orient the reader instead.
    assert "<script src=" not in text and 'rel="stylesheet"' not in text
    fetched = []

    def refuse(route):
        if route.request.url.startswith("http"):
            fetched.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", refuse)
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "Contributions per 1,000 inhabitants",
        "Perimeter",
        "Commune names",
        "Contributions (clusters, colour of the main theme)",
        "Hotspots (DBSCAN)",
    ]
    # Communes, perimeter, clusters and hotspots: the features of every GeoJSON layer.
    layer_count = page.evaluate(
        """() => { let n = 0; for (const key in window) {
                 if (key.startsWith('geo_json_') && window[key] && window[key].getLayers)
                     n += window[key].getLayers().length; } return n; }"""
    )
    assert layer_count > 45
    assert page.locator("#diagnostic-legend").is_visible()
    assert "Health and social" in page.locator("#diagnostic-legend").inner_text()
    names = page.locator(".commune-label .commune-name").all_inner_texts()
    assert {"Nice", "Sospel", "Sanremo"} <= set(names)
    assert page.locator(".commune-name", has_text="Sospel").is_visible()
    screenshot(page, "diagnostic-map")
    assert page.js_errors == []
    assert fetched == []


# ---------------------------------------------------------------- QGIS

QGIS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from qgis.core import QgsApplication, QgsRasterLayer, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    raster = QgsRasterLayer(sys.argv[1], "density")
    vector = QgsVectorLayer(sys.argv[2], "areas", "ogr")
    result = {"raster_valid": raster.isValid(), "vector_valid": vector.isValid()}
    if raster.isValid():
        result["raster_crs"] = raster.crs().authid()
        provider = raster.dataProvider()
        result["nodata"] = provider.sourceNoDataValue(1)
        result["width"] = raster.width()
    if vector.isValid():
        result["vector_crs"] = vector.crs().authid()
        result["features"] = vector.featureCount()
        result["contributions"] = sum(int(f["contributions"]) for f in vector.getFeatures())
    print(json.dumps(result))
    app.exitQgis()
    """
)


def test_qgis_loads_density_and_areas_with_their_crs_and_counts(demo, bundle):
    need(
        os.path.exists("/usr/bin/python3")
        and subprocess.run(
            ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True
        ).returncode
        == 0,
        "QGIS (python3-qgis) is not installed",
    )
    folder, _ = bundle
    done = subprocess.run(
        [
            "/usr/bin/python3",
            "-c",
            QGIS_SCRIPT,
            str(folder / "density.tif"),
            str(folder / "areas.geojson"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["raster_valid"] and report["vector_valid"], done.stderr[-2000:]
    assert report["raster_crs"] == "EPSG:3035"
    assert report["nodata"] == density.NODATA
    assert report["vector_crs"] == "EPSG:4326"
    assert report["features"] == demo.perimeter.members.count()
    outside = public_count(demo, commune__isnull=True)
    assert report["contributions"] + outside == public_count(demo)


# ---------------------------------------------------------------- filters, language, errors


def run(tmp_path, *args):
    out = io.StringIO()
    call_command(
        "diagnostic",
        "--project",
        "piter-alpimed",
        "--output",
        str(tmp_path),
        "--no-progress",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_filters_are_those_of_the_list_and_the_language_applies(demo, tmp_path):
    folder = tmp_path / "infra"
    run(folder, "--theme", "infrastructure", "--kind", "report", "--language", "it")
    summary = json.loads((folder / "summary.json").read_text())
    expected = public_count(demo, theme__slug="infrastructure", kind=Kind.REPORT)
    assert summary["totals"]["contributions"] == expected
    assert summary["by_theme"]["infrastructure"] == expected
    assert summary["by_kind"] == {"proposal": 0, "report": expected, "observation": 0}
    assert summary["filters"]["themes"] == ["infrastructure"]
    assert summary["project"]["title"].startswith("PITER ALPIMED: il territorio")
    assert '<html lang="it">' in (folder / "report.html").read_text()
    assert "Infrastrutture" in (folder / "map.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # The command speaks the project's language: the sentence is translated.
        (["--theme", "nope"], "--theme: .*nope"),
        (["--kind", "wish"], "--kind: .*wish"),
        (["--status", "hidden"], "--status: .*hidden"),
        (["--commune", "99999"], "--commune: .*99999"),
        (["--language", "de"], "Unknown language 'de'"),
        (["--minpoints", "1"], "at least 2 contributions"),
        (["--cell", "10", "--bandwidth", "10"], "use --cell 2[0-9] or more"),
    ],
)
def test_bad_filters_are_clear_errors(demo, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path / "out", *args)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_project_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No project with the slug 'nowhere'"):
        call_command("diagnostic", "--project", "nowhere", "--output", str(tmp_path))


def test_a_nonempty_folder_needs_overwrite(demo, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="is not empty; .* --overwrite"):
        run(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    run(tmp_path, "--overwrite")
    assert (tmp_path / "summary.json").exists() and (tmp_path / "notes.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".diagnostic-")]


def test_an_unwritable_output_is_a_clear_error(demo, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="Cannot write into"):
        run(blocker / "bundle")
    with pytest.raises(CommandError, match="is not a folder"):
        run(blocker)


def test_density_chart_names_the_larger_communes_on_their_outlines():
    """Without a basemap the density chart orients by commune outlines and names."""
    import matplotlib.pyplot as plt

    from layers.diagnostic.figures import orientation

    square = lambda x, y, d: {  # noqa: E731 - a WGS84 square of side d degrees
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
    }
    communes = [
        {"name": "Sospel", "geom": square(7.40, 43.85, 0.10), "label": (7.45, 43.90)},
        {"name": "Tiny", "geom": square(7.60, 43.85, 0.001), "label": (7.6005, 43.8505)},
    ]
    from pyproj import Transformer

    from core.postgis import METRIC_SRID, STORAGE_SRID

    to_metric = Transformer.from_crs(STORAGE_SRID, METRIC_SRID, always_xy=True)
    x0, y0 = to_metric.transform(7.35, 43.80)
    x1, y1 = to_metric.transform(7.70, 44.00)
    figure, axes = plt.subplots()
    orientation(axes, communes, frame=(x0, y0, x1, y1))
    assert [t.get_text() for t in axes.texts] == ["Sospel"]
    assert len(axes.lines) == 2
    plt.close(figure)
