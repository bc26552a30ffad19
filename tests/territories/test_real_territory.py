"""The demo territory is the real PITER ALPIMED: 89 communes from the IGN and ISTAT files,
simplified as one coverage (fixtures/piter_alpimed/build.py). Checked against the shared
boundary files, then in PostGIS once the demo is loaded."""

import csv
import json
from collections import Counter
from itertools import combinations

import numpy as np
import pytest
import shapely
from django.db import connection
from pyproj import Transformer
from shapely.geometry import Point, shape

from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "piter_alpimed"
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)

# The simplification tolerance is 25 m (build.py): away from the border a commune stays
# within 60 m of its source. Along the FR/IT border the IGN and ISTAT lines disagree by up
# to ~650 m, and each overlap went to one side: there the bound is that mismatch.
HAUSDORFF_M = 60.0
HAUSDORFF_BORDER_M = 700.0
AREA_TOLERANCE = 0.02

# The shared README's spot checks: (lon, lat) -> commune code, or None outside every one.
SPOT_CHECKS = [
    ((7.2620, 43.7030), "06088"),  # Nice
    ((7.4975, 43.7760), "06083"),  # Menton
    ((7.5950, 44.0880), "06163"),  # Tende
    ((7.7760, 43.8170), "008055"),  # Sanremo
    ((7.6060, 43.7910), "008065"),  # Ventimiglia
    ((7.5760, 44.2010), "004110"),  # Limone Piemonte
    ((7.4246, 43.7384), None),  # Monaco
]


def metric(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_METRIC.transform(*xy.T)))


def read_features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def communes():
    return {f["properties"]["code"]: f for f in read_features(FIXTURES / "communes.geojson")}


@pytest.fixture(scope="module")
def shapes(communes):
    return {code: metric(shape(f["geometry"])) for code, f in communes.items()}


@pytest.fixture(scope="module")
def sources(boundaries_dir, communes):
    """The source geometry of each demo commune, in metres."""
    found = {}
    for filename, key in (
        ("fr06_communes.geojson", "code"),
        ("it_imperia_P8_comuni.geojson", "com_istat_code"),
        ("it_cuneo_P4_comuni.geojson", "com_istat_code"),
    ):
        for feature in read_features(boundaries_dir / filename):
            code = feature["properties"][key]
            if code in communes:
                found[code] = metric(shapely.make_valid(shape(feature["geometry"])))
    return found


def test_89_communes_38_french_24_in_imperia_27_in_cuneo(communes):
    assert len(communes) == 89
    parents = Counter(
        (f["properties"]["country"], f["properties"]["parent"]) for f in communes.values()
    )
    assert sum(n for (country, _), n in parents.items() if country == "FR") == 38
    assert parents["IT", "008"] == 24
    assert parents["IT", "004"] == 27
    listed = (FIXTURES / "communes.csv").read_text(encoding="utf-8")
    assert [row["code"] for row in csv.DictReader(listed.splitlines())] == list(communes)
    assert (FIXTURES / "perimeter_codes.txt").read_text().split() == list(communes)


def test_every_commune_has_a_population_with_its_year_and_a_parent(communes):
    parents = {f["properties"]["code"]: f for f in read_features(FIXTURES / "parents.geojson")}
    for code, feature in communes.items():
        props = feature["properties"]
        assert props["population"] > 0, code
        assert props["population_year"] == (2021 if props["country"] == "FR" else 2011), code
        parent = parents[props["parent"]]["properties"]
        assert parent["kind"] == ("intercommunality" if props["country"] == "FR" else "province")
    assert communes["06088"]["properties"]["population"] == 348085


def test_every_other_name_and_the_tests_communes_are_in_the_territory(communes):
    with open(FIXTURES / "alternative_names.csv", encoding="utf-8") as handle:
        assert {row["code"] for row in csv.DictReader(handle)} <= set(communes)
    # The official names keep their article, which the IGN file drops.
    assert communes["06162"]["properties"]["name"] == "La Brigue"
    assert communes["06150"]["properties"]["name"] == "La Turbie"
    assert communes["06057"]["properties"]["name"] == "L'Escarène"


def test_each_commune_keeps_its_source_area_and_outline(shapes, sources):
    tree = shapely.STRtree(list(shapes.values()))
    codes = list(shapes)
    for code, geom in shapes.items():
        source = sources[code]
        assert abs(geom.area - source.area) / source.area < AREA_TOLERANCE, code
        near = tree.query(geom.buffer(1.0), predicate="intersects")
        on_border = any((codes[i][:2] == "06") != (code[:2] == "06") for i in near)
        bound = HAUSDORFF_BORDER_M if on_border else HAUSDORFF_M
        assert shapely.hausdorff_distance(geom, source) < bound, code


def test_neighbours_share_their_border_without_overlapping(shapes, sources):
    codes = list(shapes)
    tree = shapely.STRtree([sources[c] for c in codes])
    pairs = 0
    for i, j in tree.query([sources[c] for c in codes], predicate="intersects").T:
        a, b = codes[i], codes[j]
        if a >= b or sources[a].intersection(sources[b]).length < 500:
            continue  # a point or a short contact in the sources is not a shared border
        pairs += 1
        shared = shapes[a].boundary.intersection(shapes[b].boundary).length
        assert shared > 0, (a, b)
    assert pairs > 150
    for a, b in combinations(codes, 2):
        if shapes[a].intersects(shapes[b]):
            assert shapes[a].intersection(shapes[b]).area < 1.0, (a, b)


def test_the_perimeter_is_one_piece_without_holes(shapes):
    union = shapely.union_all(list(shapes.values()))
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    assert 3_900e6 < union.area < 4_200e6


@pytest.mark.parametrize(("point", "expected"), SPOT_CHECKS)
def test_spot_checks_on_the_fixture(communes, point, expected):
    hits = [code for code, f in communes.items() if shape(f["geometry"]).intersects(Point(point))]
    assert hits == ([expected] if expected else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("point", "expected"), SPOT_CHECKS)
def test_spot_checks_in_postgis(demo, point, expected):
    from territories.selectors import territories_at

    hits = [t.code for t in territories_at(*point, kind="commune")]
    assert hits == ([expected] if expected else [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) "
            "FROM territories_territory WHERE id = %s",
            [*point, demo.perimeter_id],
        )
        assert cursor.fetchone()[0] == (expected is not None)


@pytest.mark.django_db
def test_the_loaded_demo_has_its_parents_populations_and_a_perimeter_without_holes(demo):
    from territories.models import Territory

    communes = Territory.objects.communes()
    assert communes.count() == 89
    assert not communes.filter(population__isnull=True).exists()
    assert not communes.filter(population_year__isnull=True).exists()
    assert set(communes.values_list("parent__kind", flat=True)) == {"intercommunality", "province"}
    assert communes.get(code="06088").parent.name == "Métropole Nice Côte d'Azur"
    assert communes.get(code="004078").parent.code == "004"
    assert Counter(communes.values_list("population_year", flat=True)) == {2021: 38, 2011: 51}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_NumGeometries(geom), (SELECT sum(ST_NumInteriorRings(d.geom)) "
            "FROM ST_Dump(geom) d) FROM territories_territory WHERE id = %s",
            [demo.perimeter_id],
        )
        assert cursor.fetchone() == (1, 0)
    assert demo.perimeter.members.count() == 89


@pytest.mark.django_db
def test_per_inhabitant_tables_say_each_countrys_population_year(demo):
    from staff.selectors import dashboard

    table = dashboard.by_commune(demo)
    assert "FR 2021" in table.note and "IT 2011" in table.note
    years = {row[0]: row[-1] for row in table.rows}
    assert years["06088"] == 2021 and years["008055"] == 2011
    assert demo.perimeter.members.communes().population_years() == [("FR", 2021), ("IT", 2011)]
