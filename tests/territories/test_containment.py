"""Perimeters built from real French and Italian communes: attribution and containment."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from territories import selectors
from territories.models import Territory, TerritoryKind
from territories.services import PerimeterError, build_perimeter

pytestmark = pytest.mark.django_db

SPOT_POINTS = [
    ((7.2620, 43.7030), "06088"),  # Nice
    ((7.4975, 43.7760), "06083"),  # Menton
    ((7.5950, 44.0880), "06163"),  # Tende
    ((7.7760, 43.8170), "008055"),  # Sanremo
    ((7.6060, 43.7910), "008065"),  # Ventimiglia
]
MONACO = (7.4246, 43.7384)


@pytest.fixture
def perimeter(real_territories, riviera_codes):
    italian = list(Territory.objects.communes().filter(country="IT").values_list("code", flat=True))
    _outcome, perimeter = build_perimeter(
        slug="riviera-imperia", name="Riviera and Imperia", codes=riviera_codes + italian
    )
    perimeter.refresh_from_db()
    return perimeter


def point(lon, lat):
    return Point(lon, lat, srid=4326)


def scalar(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_real_files_imported_with_codes_and_population(real_territories):
    communes = Territory.objects.communes()
    assert communes.filter(country="FR").count() == 163
    assert communes.filter(country="IT").count() == 66
    nice = communes.get(code="06088")
    assert (nice.name, nice.population) == ("Nice", 348085)
    assert communes.get(code="008055").name == "Sanremo"
    # Cannes has islands: a true MultiPolygon survives the import.
    assert len(communes.get(code="06029").geom) > 1


@pytest.mark.parametrize(("lonlat", "code"), SPOT_POINTS)
def test_spot_points_land_in_their_commune(real_territories, lonlat, code):
    assert selectors.attribute(point(*lonlat)).code == code


def test_monaco_is_in_no_commune(real_territories):
    assert selectors.attribute(point(*MONACO)) is None
    assert not selectors.territories_at(*MONACO).exists()


def test_perimeter_mixes_both_countries(perimeter, riviera_codes):
    assert perimeter.kind == TerritoryKind.PERIMETER
    assert perimeter.slug == "riviera-imperia"
    assert perimeter.members.count() == len(riviera_codes) + 66
    assert perimeter.population is None  # the Italian file has no population
    # Internal borders, slivers and gaps are dissolved: one part, no holes.
    parts, holes = scalar(
        "SELECT ARRAY[ST_NumGeometries(geom), ST_NRings(geom) - ST_NumGeometries(geom)] "
        "FROM territories_territory WHERE id = %s",
        [perimeter.pk],
    )
    assert (parts, holes) == (1, 0)


@pytest.mark.parametrize(("lonlat", "code"), SPOT_POINTS)
def test_spot_points_against_the_perimeter(perimeter, lonlat, code):
    inside = code != "06088"  # Nice is not in this perimeter
    assert selectors.covers_point(perimeter.pk, *lonlat) is inside
    assert selectors.covers(perimeter, point(*lonlat)) is inside


def test_monaco_is_outside_the_perimeter(perimeter):
    assert not selectors.covers_point(perimeter.pk, *MONACO)
    assert selectors.distance_m(perimeter, point(*MONACO)) > 50


def test_a_point_on_the_edge_is_inside(perimeter):
    lon, lat = scalar(
        "SELECT ARRAY[ST_X(p), ST_Y(p)] FROM (SELECT ST_PointN(ST_ExteriorRing("
        "ST_GeometryN(geom, 1)), 10) AS p FROM territories_territory WHERE id = %s) s",
        [perimeter.pk],
    )
    assert selectors.covers_point(perimeter.pk, lon, lat)


def test_tolerance_in_metres(perimeter):
    # 30 m south of the perimeter's southernmost vertex: out at sea, 30 m at most from the coast.
    lon, lat = scalar(
        "SELECT ARRAY[ST_X(p), ST_Y(p)] FROM (SELECT (dp).geom AS p FROM "
        "(SELECT ST_DumpPoints(geom) AS dp FROM territories_territory WHERE id = %s) d "
        "ORDER BY ST_Y((dp).geom) LIMIT 1) s",
        [perimeter.pk],
    )
    outside = (lon, lat - 30 / 111_320)
    distance = selectors.distance_m(perimeter, point(*outside))
    assert 15 < distance <= 30.5
    assert not selectors.covers_point(perimeter.pk, *outside)
    assert not selectors.covers_point(perimeter.pk, *outside, tolerance_m=0)
    assert selectors.covers_point(perimeter.pk, *outside, tolerance_m=50)
    assert not selectors.covers_point(perimeter.pk, *outside, tolerance_m=10)
    # The in-process index and PostGIS agree.
    for tolerance in (0, 10, 50):
        assert selectors.covers_point_in_database(
            perimeter.pk, *outside, tolerance_m=tolerance
        ) == selectors.covers_point(perimeter.pk, *outside, tolerance_m=tolerance)


def test_lines_and_areas_against_the_perimeter(perimeter):
    from django.contrib.gis.geos import LineString

    inland = LineString((7.50, 43.80), (7.60, 43.85), srid=4326)
    to_monaco = LineString((7.50, 43.80), MONACO, srid=4326)
    assert selectors.covers(perimeter, inland)
    assert not selectors.covers(perimeter, to_monaco)
    assert not selectors.covers(perimeter, to_monaco, tolerance_m=50)


def test_a_point_in_a_french_italian_sliver_always_gets_the_same_commune(real_territories):
    lon, lat, fr_code, it_code = scalar(
        """
        SELECT ARRAY[ST_X(p)::text, ST_Y(p)::text, fr, it] FROM (
            SELECT ST_PointOnSurface(ST_Intersection(f.geom, i.geom)) AS p,
                   f.code AS fr, i.code AS it,
                   ST_Area(ST_Intersection(f.geom, i.geom)::geography) AS overlap
            FROM territories_territory f JOIN territories_territory i
              ON f.country = 'FR' AND i.country = 'IT' AND ST_Intersects(f.geom, i.geom)
            WHERE f.kind = 'commune' AND i.kind = 'commune'
        ) s WHERE overlap > 1000 ORDER BY overlap DESC LIMIT 1
        """,
        [],
    )
    sliver = point(float(lon), float(lat))
    containing = {t.code for t in selectors.territories_at(sliver.x, sliver.y, "commune")}
    assert containing == {fr_code, it_code}
    answers = {selectors.attribute(sliver).code for _ in range(5)}
    assert len(answers) == 1
    assert answers <= {fr_code, it_code}


def test_perimeter_population_is_the_sum_when_every_member_has_one(real_territories, riviera_codes):
    _outcome, riviera = build_perimeter(slug="riviera", name="Riviera", codes=riviera_codes)
    expected = sum(
        Territory.objects.communes().with_codes(riviera_codes).values_list("population", flat=True)
    )
    assert riviera.population == expected > 60_000


def test_a_point_in_a_gap_inside_the_perimeter_gets_the_nearest_member(perimeter):
    # The simplified French file leaves gaps between communes; the perimeter fills them.
    lon, lat = scalar(
        """
        SELECT ARRAY[ST_X(p), ST_Y(p)] FROM (
            SELECT ST_PointOnSurface((ST_Dump(ST_Difference(per.geom, m.geom))).geom) AS p,
                   ST_Area((ST_Dump(ST_Difference(per.geom, m.geom))).geom::geography) AS a
            FROM territories_territory per,
                 (SELECT ST_Union(t.geom) AS geom FROM territories_territory t
                  JOIN territories_territory_members tm ON tm.to_territory_id = t.id
                  WHERE tm.from_territory_id = %s) m
            WHERE per.id = %s
        ) s ORDER BY a DESC LIMIT 1
        """,
        [perimeter.pk, perimeter.pk],
    )
    gap = point(lon, lat)
    assert selectors.covers(perimeter, gap)
    assert not selectors.territories_at(lon, lat, "commune").exists()
    commune = selectors.attribute(gap, within=perimeter)
    assert commune is not None
    assert perimeter.members.filter(pk=commune.pk).exists()
    assert {selectors.attribute(gap, within=perimeter) for _ in range(3)} == {commune}


def test_unknown_codes_build_nothing(real_territories):
    with pytest.raises(PerimeterError) as error:
        build_perimeter(slug="nowhere", name="Nowhere", codes=["06088", "99999"])
    assert error.value.code == "unknown_codes"
    assert "99999" in error.value.message
    assert not Territory.objects.filter(slug="nowhere").exists()
