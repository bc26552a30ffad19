"""import_territories: formats, CRSs, repairs, upserts, generations and bad files."""

import json
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from territories.models import Territory, TerritoryPiece

pytestmark = pytest.mark.django_db


def run_import(*args):
    out = StringIO()
    call_command("import_territories", *map(str, args), stdout=out)
    return out.getvalue()


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *map(str, args)], check=True, capture_output=True, timeout=120)


def write_geojson(path, features, crs=None):
    collection = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def square(x0, y0, size=0.01):
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def feature(code, name, coordinates, geometry_type="Polygon", **properties):
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": name, **properties},
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


def test_second_run_changes_nothing(boundaries_dir):
    first = run_import(
        boundaries_dir / "it_imperia_P8_comuni.geojson", "--code-field=com_istat_code"
    )
    assert "created 66, updated 0, unchanged 0" in first
    ids = set(Territory.objects.values_list("pk", flat=True))
    second = run_import(
        boundaries_dir / "it_imperia_P8_comuni.geojson", "--code-field=com_istat_code"
    )
    assert "created 0, updated 0, unchanged 66" in second
    assert set(Territory.objects.values_list("pk", flat=True)) == ids
    # GeoJSON 2008 style read as lon/lat: Sanremo lies where it should.
    sanremo = Territory.objects.get(code="008055")
    assert 7.7 < sanremo.geom.centroid.x < 7.9 and 43.8 < sanremo.geom.centroid.y < 43.9


@pytest.mark.parametrize("driver", ["ESRI Shapefile", "GPKG"])
def test_lambert93_file_imports_to_the_same_geometries(boundaries_dir, tmp_path, driver):
    source = boundaries_dir / "fr06_communes.geojson"
    target = tmp_path / ("communes.shp" if driver == "ESRI Shapefile" else "communes.gpkg")
    ogr2ogr("-f", driver, "-t_srs", "EPSG:2154", "-nln", "communes_l93", target, source)
    run_import(source)
    reference = {t.code: t.geom for t in Territory.objects.current()}
    Territory.objects.all().delete()
    extra = ["--layer=communes_l93"] if driver == "GPKG" else []
    output = run_import(target, *extra)
    assert "created 163" in output
    imported = {t.code: t.geom for t in Territory.objects.current()}
    assert imported.keys() == reference.keys()
    worst_m = 0.0
    with connection.cursor() as cursor:
        for code, geom in reference.items():
            cursor.execute(
                "SELECT ST_HausdorffDistance(ST_Transform(%s::geometry, 2154),"
                " ST_Transform(%s::geometry, 2154))",
                [geom.ewkt, imported[code].ewkt],
            )
            worst_m = max(worst_m, cursor.fetchone()[0])
    assert worst_m < 0.01


def test_shapefile_without_crs_needs_srid(boundaries_dir, tmp_path):
    target = tmp_path / "nocrs.shp"
    ogr2ogr(
        "-f",
        "ESRI Shapefile",
        "-t_srs",
        "EPSG:2154",
        target,
        boundaries_dir / "fr06_communes.geojson",
    )
    (tmp_path / "nocrs.prj").unlink()
    with pytest.raises(CommandError, match=r"\[no_crs\].*--srid"):
        run_import(target)
    assert not Territory.objects.exists()
    assert "created 163" in run_import(target, "--srid=2154")
    nice = Territory.objects.get(code="06088")
    assert nice.geom.srid == 4326 and 7.1 < nice.geom.centroid.x < 7.4


def test_invalid_geometry_is_repaired_and_said(tmp_path):
    bowtie = [[[7.0, 44.0], [7.1, 44.1], [7.1, 44.0], [7.0, 44.1], [7.0, 44.0]]]
    path = write_geojson(
        tmp_path / "bowtie.geojson",
        [feature("99001", "Bowtie", bowtie), feature("99002", "Square", square(7.2, 44.0))],
    )
    output = run_import(path)
    assert "created 2" in output and "repaired 1" in output
    assert "repaired invalid geometry: Bowtie (99001" in output
    bowtie_territory = Territory.objects.get(code="99001")
    assert bowtie_territory.geom.valid and bowtie_territory.geom.area > 0


def test_points_and_missing_codes_are_skipped_with_reasons(tmp_path):
    path = write_geojson(
        tmp_path / "mixed.geojson",
        [
            feature("99001", "Good", square(7.0, 44.0)),
            feature("99002", "A point", [7.0, 44.0], "Point"),
            feature("", "No code", square(7.2, 44.0)),
        ],
    )
    output = run_import(path)
    assert "created 1" in output and "skipped 2" in output
    assert "A point (99002, feature 2): not a polygon" in output
    assert "no code" in output


def test_population_csv_and_population_field(tmp_path, boundaries_dir):
    output = run_import(
        boundaries_dir / "fr06_communes.geojson",
        f"--population-csv={boundaries_dir / 'fr06_commune_epci.csv'}",
        "--country=FR",
    )
    assert "created 163" in output
    assert Territory.objects.get(code="06083").population == 30412
    assert not Territory.objects.filter(population__isnull=True).exists()


@pytest.mark.parametrize(
    ("content", "args", "code"),
    [
        ("this is not a GIS file", [], "not_a_gis_file"),
        (None, ["--name-field=denomination"], "unknown_field"),
        ("points", [], "no_polygons"),
    ],
)
def test_bad_files_get_a_clear_error_and_write_nothing(tmp_path, content, args, code):
    path = tmp_path / "bad.geojson"
    if content == "points":
        write_geojson(path, [feature("1", "P", [7.0, 44.0], "Point")])
    elif content:
        path.write_text(content)
    else:
        write_geojson(path, [feature("99001", "Square", square(7.0, 44.0))])
    good = write_geojson(tmp_path / "good.geojson", [feature("99009", "Fine", square(7.5, 44.0))])
    with pytest.raises(CommandError, match=rf"\[{code}\].*Nothing was imported"):
        run_import(good, path, *args)
    assert not Territory.objects.exists()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"\[file_not_found\]"):
        run_import(tmp_path / "nowhere.geojson")


def test_new_boundary_makes_a_new_generation_and_keeps_the_old(tmp_path):
    path = write_geojson(tmp_path / "v1.geojson", [feature("99001", "Village", square(7.0, 44.0))])
    run_import(path)
    first = Territory.objects.get(code="99001")
    write_geojson(path, [feature("99001", "Village", square(7.0, 44.0, size=0.02))])
    assert "updated 1" in run_import(path)
    first.refresh_from_db()
    current = Territory.objects.current().get(code="99001")
    assert first.valid_until is not None and first.generation == 1
    assert current.pk != first.pk and current.generation == 2 and current.slug == first.slug
    assert first.geom.area == pytest.approx(0.0001)  # the old boundary is kept as it was
    assert current.area_m2 > 3.9 * first.area_m2


def test_pieces_follow_the_boundary_whoever_writes_it(tmp_path):
    zigzag = [[7.0 + 0.001 * i, 44.0 - 0.0005 * (i % 2)] for i in range(500)]
    big = [zigzag + [[7.5, 44.3], [7.0, 44.3], [7.0, 44.0]]]
    run_import(write_geojson(tmp_path / "big.geojson", [feature("99001", "Big", big)]))
    territory = Territory.objects.get(code="99001")
    pieces = TerritoryPiece.objects.filter(territory=territory)
    assert pieces.count() > 5  # 500+ vertices split into pieces of at most 96
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE territories_territory"
            " SET geom = ST_Multi(ST_MakeEnvelope(8, 45, 8.1, 45.1, 4326)) WHERE id = %s",
            [territory.pk],
        )
    assert pieces.count() == 1
    assert pieces.get().geom.extent == pytest.approx((8, 45, 8.1, 45.1))
    territory.refresh_from_db()
    assert territory.area_m2 == pytest.approx(8.8e7, rel=0.05)
    territory.delete()
    assert not TerritoryPiece.objects.exists()


def test_the_population_year_is_given_on_the_command_line_or_read_from_a_field(tmp_path):
    path = write_geojson(
        tmp_path / "c.geojson",
        [
            feature("99001", "Una", square(7.0, 44.0), population=1200),
            feature("99002", "Due", square(7.1, 44.0), population=800, population_year=2011),
        ],
    )
    run_import(path, "--population-year", "2021")
    years = dict(Territory.objects.current().values_list("code", "population_year"))
    assert years == {"99001": 2021, "99002": 2011}  # the file's own year wins
