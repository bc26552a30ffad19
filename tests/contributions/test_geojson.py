"""Strict parsing of residents' GeoJSON: every bad input is a GeoJSONError with a code."""

import json
import time

import pytest
from django.utils import translation

from contributions import geojson
from contributions.geojson import (
    MAX_BODY_BYTES,
    MAX_VERTICES,
    GeoJSONError,
    parse_feature,
    parse_geometry,
)

NICE = [7.262, 43.703]
SQUARE = [[7.0, 43.0], [7.1, 43.0], [7.1, 43.1], [7.0, 43.1], [7.0, 43.0]]
HOLE = [[7.02, 43.02], [7.02, 43.05], [7.05, 43.05], [7.05, 43.02], [7.02, 43.02]]
BOW_TIE = [[7.0, 43.0], [7.1, 43.1], [7.1, 43.0], [7.0, 43.1], [7.0, 43.0]]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def feature(geometry, properties=None, **extra):
    obj = {"type": "Feature", "geometry": geometry, "properties": properties, **extra}
    return json.dumps(obj, ensure_ascii=False)


def geometry(kind, coordinates):
    return {"type": kind, "coordinates": coordinates}


def fails(body, code, status=400):
    """The GeoJSONError parse_feature raises for `body`, checked against `code` and `status`."""
    with pytest.raises(GeoJSONError) as caught:
        parse_feature(body)
    error = caught.value
    assert (error.code, error.status) == (code, status), error.message
    assert error.message and str(error) == error.message
    return error


# Accepted shapes


def test_point_keeps_properties_and_srid():
    parsed = parse_feature(feature(geometry("Point", NICE), {"kind": "bench", "votes": 3}))
    assert parsed.properties == {"kind": "bench", "votes": 3}
    assert parsed.geometry.geom_type == "Point"
    assert parsed.geometry.srid == 4326
    assert (parsed.geometry.x, parsed.geometry.y) == (7.262, 43.703)


@pytest.mark.parametrize("body_type", [str, bytes])
def test_body_as_str_or_bytes(body_type):
    body = feature(geometry("Point", NICE))
    parsed = parse_feature(body if body_type is str else body.encode())
    assert parsed.geometry.coords == (7.262, 43.703)


def test_altitude_is_dropped():
    parsed = parse_feature(feature(geometry("Point", [7.262, 43.703, 12.5])))
    assert not parsed.geometry.hasz
    assert parsed.geometry.coords == (7.262, 43.703)


def test_line_with_some_altitudes():
    parsed = parse_feature(feature(geometry("LineString", [[7.0, 43.0, 5], [7.1, 43.1]])))
    assert parsed.geometry.geom_type == "LineString"
    assert parsed.geometry.srid == 4326
    assert not parsed.geometry.hasz
    assert parsed.geometry.coords == ((7.0, 43.0), (7.1, 43.1))


def test_polygon_with_a_hole():
    parsed = parse_feature(feature(geometry("Polygon", [SQUARE, HOLE]), {"name": "park"}))
    polygon = parsed.geometry
    assert polygon.geom_type == "Polygon"
    assert polygon.srid == 4326
    assert polygon.num_interior_rings == 1
    assert polygon.area == pytest.approx(0.01 - 0.0009)
    assert parsed.properties == {"name": "park"}


@pytest.mark.parametrize(
    "kind, coordinates",
    [("Point", NICE), ("LineString", [NICE, [7.3, 43.7]]), ("Polygon", [SQUARE])],
)
def test_bare_geometry_is_a_feature_without_properties(kind, coordinates):
    parsed = parse_feature(json.dumps(geometry(kind, coordinates)))
    assert parsed.geometry.geom_type == kind
    assert parsed.geometry.srid == 4326
    assert parsed.properties == {}


@pytest.mark.parametrize(
    "body",
    [
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [7, 43]}}',
        '{"type": "Feature", "properties": null, '
        '"geometry": {"type": "Point", "coordinates": [7, 43]}}',
    ],
)
def test_missing_or_null_properties_become_empty(body):
    assert parse_feature(body).properties == {}


def test_duplicate_keys_are_accepted():
    body = '{"type": "Feature", "properties": {"a": 1, "a": 2}, "geometry": null, ' + (
        '"geometry": {"type": "Point", "coordinates": [7, 43]}}'
    )
    assert parse_feature(body).properties == {"a": 2}


def test_utf8_properties_and_bom():
    body = "\ufeff" + feature(geometry("Point", NICE), {"note": "banc cassé, Sanremo è bella"})
    assert parse_feature(body.encode()).properties == {"note": "banc cassé, Sanremo è bella"}


def test_integer_coordinates_become_floats():
    assert parse_feature(feature(geometry("Point", [7, -43]))).geometry.coords == (7.0, -43.0)


@pytest.mark.parametrize("position", [[-180, -90], [180, 90], [180.0, -90.0]])
def test_range_bounds_are_inclusive(position):
    assert parse_feature(feature(geometry("Point", position))).geometry.coords == tuple(position)


def test_exactly_max_vertices_is_accepted():
    line = [[i % 2, i % 3] for i in range(MAX_VERTICES)]
    assert parse_geometry(geometry("LineString", line)).num_points == MAX_VERTICES


# Body and JSON


@pytest.mark.parametrize("body_type", [str, bytes])
def test_five_megabytes_is_too_large(body_type):
    body = feature(geometry("Point", NICE), {"padding": "x" * 5_000_000})
    error = fails(body if body_type is str else body.encode(), "body_too_large", 413)
    assert str(MAX_BODY_BYTES) in error.message


def test_size_is_counted_in_bytes():
    # Under the limit in characters, over it in UTF-8 bytes.
    body = feature(geometry("Point", NICE), {"note": "é" * (MAX_BODY_BYTES // 2 + 10)})
    assert len(body) < MAX_BODY_BYTES < len(body.encode())
    fails(body, "body_too_large", 413)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"POINT ( )",
        b"{",
        b"{'type': 'Feature'}",
        b'{"type": "Point", "coordinates": [NaN, 43]}',
        b'{"type": "Point", "coordinates": [Infinity, 43]}',
        b'{"type": "Point", "coordinates": [7, -Infinity]}',
        b'{"type": "Feature", "properties": {"score": NaN}, "geometry": null}',
        b"\xff\xfe{\x00}\x00",
        '{"type": "Feature", "properties": {"note": "café"}}'.encode("latin-1"),
        b"[" * 100_000,
        b'{"type": "Point", "coordinates": [' + b"7" * 5000 + b", 43]}",
    ],
    ids=[
        "empty",
        "wkt",
        "truncated",
        "single-quotes",
        "nan",
        "infinity",
        "minus-infinity",
        "nan-in-properties",
        "utf16",
        "latin1",
        "deep-nesting",
        "huge-integer",
    ],
)
def test_malformed_json(body):
    fails(body, "malformed_json")


def test_lone_surrogate_in_str_body():
    fails('{"type": "Point", "coordinates": [7, 43], "x": "\ud800"}', "malformed_json")


# GeoJSON structure


@pytest.mark.parametrize(
    "body",
    [
        '"POINT ( )"',
        "[7.2, 43.7]",
        "null",
        "42",
        "{}",
        '{"type": "FeatureCollection", "features": []}',
        '{"type": "feature", "geometry": null}',
        '{"type": ["Feature"], "geometry": null}',
        '{"type": {"Point": 1}, "coordinates": [7, 43]}',
        '{"geometry": {"type": "Point", "coordinates": [7, 43]}}',
    ],
)
def test_top_level_must_be_a_feature_or_geometry(body):
    fails(body, "malformed_geojson")


@pytest.mark.parametrize("properties", [[], ["a"], "name", 3, True])
def test_properties_must_be_an_object(properties):
    fails(feature(geometry("Point", NICE), properties), "malformed_geojson")


@pytest.mark.parametrize(
    "value",
    [
        "POINT ( )",
        "POINT (7 43)",
        [7, 43],
        {"type": "point", "coordinates": [7, 43]},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7, 43]}},
        {"type": "Circle", "coordinates": [7, 43]},
        {"type": None, "coordinates": [7, 43]},
        {"type": ["Point"], "coordinates": [7, 43]},
        {"coordinates": [7, 43]},
        {"type": "Point"},
        {"type": "Point", "coordinates": "POINT ( )"},
        {"type": "Point", "coordinates": None},
    ],
)
def test_geometry_must_be_a_geojson_geometry(value):
    fails(feature(value), "malformed_geojson")


def test_geometry_missing_or_null():
    fails('{"type": "Feature", "properties": {}}', "missing_geometry")
    fails(feature(None), "missing_geometry")


@pytest.mark.parametrize(
    "value",
    [
        geometry("MultiPoint", [NICE, [7.3, 43.7]]),
        geometry("MultiLineString", [[NICE, [7.3, 43.7]]]),
        geometry("MultiPolygon", [[SQUARE]]),
        {"type": "GeometryCollection", "geometries": [geometry("Point", NICE)]},
    ],
    ids=lambda value: value["type"],
)
@pytest.mark.parametrize("bare", [False, True], ids=["in-feature", "bare"])
def test_multi_part_geometries_are_refused(value, bare):
    error = fails(json.dumps(value) if bare else feature(value), "unsupported_geometry_type", 422)
    assert "one point, one line or one area" in error.message


@pytest.mark.parametrize(
    "body",
    [
        feature(geometry("Point", NICE), crs={"type": "name", "properties": {"name": "EPSG:2154"}}),
        feature({**geometry("Point", NICE), "crs": {"type": "EPSG", "properties": {"code": 2154}}}),
        json.dumps({**geometry("Point", NICE), "crs": None}),
        feature(None, crs="urn:ogc:def:crs:EPSG::2154"),
    ],
    ids=["on-feature", "on-geometry", "on-bare-geometry", "before-geometry-checks"],
)
def test_crs_member_is_refused(body):
    error = fails(body, "crs_not_supported")
    assert "WGS84" in error.message


# Positions


@pytest.mark.parametrize(
    "position",
    [
        [True, 43.7],
        [7.2, False],
        ["7.2", "43.7"],
        [7.2, "43.7"],
        [7.2, None],
        [7.2, 43.7, "12"],
        [7.2, 43.7, True],
        [7.2],
        [],
        [7.2, 43.7, 12.0, 1.0],
        [[7.2, 43.7]],
        {"lon": 7.2, "lat": 43.7},
        "7.2, 43.7",
        7.2,
    ],
)
def test_positions_are_two_or_three_numbers(position):
    fails(feature(geometry("Point", position)), "malformed_geojson")


@pytest.mark.parametrize("position", ["[1e400, 43]", "[7, -1e400]", "[7, 43, 1e400]"])
def test_overflowing_numbers_are_malformed(position):
    # json reads 1e400 as float("inf"), which must not pass for a number.
    fails('{"type": "Point", "coordinates": ' + position + "}", "malformed_geojson")


@pytest.mark.parametrize(
    "kind, coordinates",
    [
        ("LineString", NICE),
        ("LineString", [[NICE, [7.3, 43.7]]]),
        ("LineString", [NICE, 7.3]),
        ("LineString", "LINESTRING (7 43, 8 44)"),
        ("Polygon", SQUARE),
        ("Polygon", [[SQUARE]]),
        ("Polygon", NICE),
        ("Polygon", [SQUARE, "hole"]),
        ("Polygon", {"outer": SQUARE}),
    ],
)
def test_wrong_nesting_depth(kind, coordinates):
    fails(feature(geometry(kind, coordinates)), "malformed_geojson")


@pytest.mark.parametrize(
    "kind, coordinates",
    [
        ("Point", [7.2, 95]),
        ("Point", [7.2, -90.5]),
        ("Point", [180.01, 43.7]),
        ("Point", [-200, 43.7]),
        ("Point", [10**30, 0]),
        ("Point", [1043000.0, 6300000.0]),  # Lambert-93 metres
        ("LineString", [NICE, [1043000.0, 6300000.0]]),
        ("Polygon", [SQUARE, [[7, 43], [7, 91], [8, 91], [7, 43]]]),
    ],
)
def test_coordinates_out_of_range(kind, coordinates):
    error = fails(feature(geometry(kind, coordinates)), "coordinates_out_of_range")
    assert "metres" in error.message and "swapped" in error.message
    assert "longitude, latitude in WGS84" in error.message


# Size


def long_line_body(vertices):
    # A string, not json.dumps of a list: the point is to measure the parser, not the test.
    positions = ",".join("[7,43]" if i % 2 else "[8,44]" for i in range(vertices))
    line = '{"type": "LineString", "coordinates": [' + positions + "]}"
    return '{"type": "Feature", "properties": {}, "geometry": ' + line + "}"


@pytest.fixture
def no_geos(monkeypatch):
    """Fail the test if the parser builds any GEOS object."""

    def refuse(*args, **kwargs):
        raise AssertionError("a GEOS object was built")

    for name in ("Point", "LineString", "LinearRing", "Polygon"):
        monkeypatch.setattr(geojson, name, refuse)


def test_hundred_thousand_vertices_fail_fast_before_geos(no_geos):
    body = long_line_body(100_000)
    assert len(body) < MAX_BODY_BYTES  # the vertex limit, not the size limit, must answer
    started = time.perf_counter()
    error = fails(body, "too_many_vertices", 413)
    assert time.perf_counter() - started < 1.0
    assert str(MAX_VERTICES) in error.message


def test_one_vertex_over_the_limit(no_geos):
    fails(long_line_body(MAX_VERTICES + 1), "too_many_vertices", 413)


def test_vertices_of_all_rings_are_counted(no_geos):
    ring = [[7.0, 43.0], [7.1, 43.0], [7.1, 43.1], [7.0, 43.0]] * 1250  # 5000 positions
    fails(feature(geometry("Polygon", [ring, ring, HOLE])), "too_many_vertices", 413)


# Shapes GEOS would build but that are not usable


@pytest.mark.parametrize(
    "coordinates",
    [[NICE, NICE], [NICE, NICE, NICE], [NICE], []],
    ids=["two-identical", "three-identical", "one", "empty"],
)
def test_line_needs_two_different_positions(coordinates, no_geos):
    fails(feature(geometry("LineString", coordinates)), "invalid_geometry", 422)


def test_unclosed_ring(no_geos):
    error = fails(feature(geometry("Polygon", [SQUARE[:-1]])), "invalid_geometry", 422)
    assert "not closed" in error.message


def test_unclosed_hole(no_geos):
    error = fails(feature(geometry("Polygon", [SQUARE, HOLE[:-1]])), "invalid_geometry", 422)
    assert "Ring 2" in error.message and "not closed" in error.message


@pytest.mark.parametrize(
    "ring",
    [[[7.0, 43.0], [7.1, 43.0], [7.0, 43.0]], [[7.0, 43.0], [7.1, 43.0], [7.1, 43.1]], []],
    ids=["three-closed", "three-open", "empty"],
)
def test_ring_too_short(ring, no_geos):
    error = fails(feature(geometry("Polygon", [ring])), "invalid_geometry", 422)
    assert "too short" in error.message


def test_polygon_without_rings(no_geos):
    fails(feature(geometry("Polygon", [])), "invalid_geometry", 422)


def test_bow_tie_polygon():
    error = fails(feature(geometry("Polygon", [BOW_TIE])), "invalid_geometry", 422)
    assert "Self-intersection" in error.message


@pytest.mark.parametrize(
    "rings",
    [
        [[[7.0, 43.0], [7.0, 43.0], [7.0, 43.0], [7.0, 43.0]]],
        [[[7, 43], [8, 44], [9, 45], [7, 43]]],
        [SQUARE, [[8.0, 44.0], [8.1, 44.0], [8.1, 44.1], [8.0, 44.0]]],
    ],
    ids=["one-spot", "flat", "hole-outside"],
)
def test_other_invalid_polygons(rings):
    fails(feature(geometry("Polygon", rings)), "invalid_geometry", 422)


# parse_geometry on already-decoded objects


def test_parse_geometry_from_a_dict():
    geom = parse_geometry({"type": "LineString", "coordinates": [NICE, [7.3, 43.7, 2.0]]})
    assert geom.srid == 4326 and geom.coords == ((7.262, 43.703), (7.3, 43.7))


@pytest.mark.parametrize(
    "value, code",
    [
        (None, "missing_geometry"),
        ("POINT ( )", "malformed_geojson"),
        (b'{"type": "Point"}', "malformed_geojson"),
        ({"type": "Point", "coordinates": [float("nan"), 43.0]}, "malformed_geojson"),
        ({"type": "Point", "coordinates": (7.0, 43.0)}, "malformed_geojson"),
        ({"type": "Point", "coordinates": [7.0, 43.0], "crs": {}}, "crs_not_supported"),
    ],
)
def test_parse_geometry_errors(value, code):
    with pytest.raises(GeoJSONError) as caught:
        parse_geometry(value)
    assert caught.value.code == code


def test_error_attributes():
    error = GeoJSONError("some_code", "A sentence.")
    assert (error.code, error.message, error.status) == ("some_code", "A sentence.", 400)
    assert GeoJSONError("x", "y", status=413).status == 413
