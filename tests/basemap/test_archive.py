"""A self-hosted archive: PMTiles by byte ranges, MBTiles tile by tile, nothing else on disk."""

import gzip
import sqlite3

import mapbox_vector_tile
import pytest
from django.test import override_settings
from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from tests.basemap.conftest import tile_of

pytestmark = pytest.mark.django_db

PMTILES_URL = "/basemap/archive.pmtiles"
NICE_AT = (7.26, 43.70)


def territory_tiles(client, zooms=(8, 9, 10)):
    """The territory basemap's own tiles around Nice, as an archive would hold them."""
    tiles = {}
    for z in zooms:
        _, x, y = tile_of(*NICE_AT, z)
        response = client.get(f"/basemap/territory/{z}/{x}/{y}.pbf", {"lang": "fr"})
        assert response.status_code == 200 and response.content
        tiles[(z, x, y)] = response.content
    return tiles


@pytest.fixture
def pmtiles_file(client, places, tmp_path):
    tiles = territory_tiles(client)
    path = tmp_path / "region.pmtiles"
    with open(path, "wb") as handle:
        writer = Writer(handle)
        for (z, x, y), data in sorted(tiles.items(), key=lambda item: zxy_to_tileid(*item[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.NONE,
                "min_lon_e7": int(7.0e7),
                "min_lat_e7": int(43.5e7),
                "max_lon_e7": int(7.6e7),
                "max_lat_e7": int(44.0e7),
            },
            {
                "attribution": "© test boundaries",
                "vector_layers": [{"id": name} for name in ("communes", "labels")],
            },
        )
    with override_settings(MAP_BASEMAP_ARCHIVE=str(path)):
        yield path, tiles


def get(client, range_header=None, method="get", **headers):
    if range_header:
        headers["HTTP_RANGE"] = range_header
    return getattr(client, method)(PMTILES_URL, **headers)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_header_is_served_by_range(client, pmtiles_file):
    path, _ = pmtiles_file
    size = path.stat().st_size
    response = get(client, "bytes=0-126")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-126/{size}"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == "127"
    assert response["ETag"] and response["Last-Modified"]
    data = body(response)
    assert data == path.read_bytes()[:127] and data.startswith(b"PMTiles")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=200-299", slice(200, 300)),
        ("bytes=-50", slice(-50, None)),
        ("bytes=100-", slice(100, None)),
        ("bytes=10-99999999", slice(10, None)),  # an end past the file is cut to it
    ],
)
def test_middle_suffix_and_open_ranges(client, pmtiles_file, header, expected):
    path, _ = pmtiles_file
    content = path.read_bytes()
    response = get(client, header)
    assert response.status_code == 206
    assert body(response) == content[expected]
    start = expected.start if expected.start >= 0 else len(content) + expected.start
    end = len(content) - 1 if expected.stop is None else expected.stop - 1
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(content)}"


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=999999-1000000", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(client, pmtiles_file, header):
    path, _ = pmtiles_file
    response = get(client, header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{path.stat().st_size}"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-9", "items=0-9", "bytes=9-2", "bytes=x-y", "bytes="]
)
def test_other_range_headers_get_the_whole_file(client, pmtiles_file, header):
    path, _ = pmtiles_file
    response = get(client, header)
    assert response.status_code == 200
    assert body(response) == path.read_bytes()


def test_head_and_revalidation(client, pmtiles_file):
    path, _ = pmtiles_file
    head = get(client, method="head")
    assert head.status_code == 200 and body(head) == b""
    assert head["Content-Length"] == str(path.stat().st_size)
    assert head["Content-Type"] == "application/vnd.pmtiles"
    ranged = get(client, "bytes=0-126", method="head")
    assert ranged.status_code == 206 and ranged["Content-Length"] == "127"
    assert get(client, HTTP_IF_NONE_MATCH=head["ETag"]).status_code == 304
    # A client that holds an older copy gets the whole new file rather than mixed bytes.
    assert get(client, "bytes=0-126", HTTP_IF_RANGE='"old"').status_code == 200


def test_pmtiles_reader_reads_the_served_bytes(client, pmtiles_file):
    _, tiles = pmtiles_file

    def fetch(offset, length):
        response = get(client, f"bytes={offset}-{offset + length - 1}")
        assert response.status_code == 206
        return body(response)

    reader = Reader(fetch)
    assert reader.header()["tile_type"] == TileType.MVT
    assert reader.metadata()["attribution"] == "© test boundaries"
    for (z, x, y), data in tiles.items():
        assert reader.get(z, x, y) == data
    z, x, y = next(iter(tiles))
    names = {
        f["properties"]["name"]
        for f in mapbox_vector_tile.decode(reader.get(z, x, y))["communes"]["features"]
    }
    assert "Nice" in names


@pytest.mark.parametrize(
    "path",
    [
        "/basemap/archive.pmtiles/../../etc/passwd",
        "/basemap/%2e%2e/%2e%2e/etc/passwd",
        "/basemap/archive.pmtiles%2f..%2f..%2fetc%2fpasswd",
        "/basemap/archive/..%2f..%2fetc/passwd",
        "/basemap/region.pmtiles",
        "/basemap/archive.mbtiles",
    ],
)
def test_nothing_else_on_disk_is_reachable(client, pmtiles_file, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"root:" not in body(response)


def test_the_archive_of_another_format_is_not_found(client, pmtiles_file):
    response = client.get("/basemap/archive/8/133/93")
    assert response.status_code == 404 and response.json()["code"] == "no_archive"


def test_no_archive_configured_is_not_found(client, places):
    with override_settings(MAP_BASEMAP_ARCHIVE=""):
        response = client.get(PMTILES_URL)
    assert response.status_code == 404 and response.json()["code"] == "no_archive"


# ---------------------------------------------------------------- MBTiles


def make_mbtiles(path, tiles, *, fmt="pbf", zipped=True, extra_metadata=()):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name text, value text)")
    db.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
        "tile_data blob)"
    )
    metadata = [
        ("name", "test"),
        ("format", fmt),
        ("minzoom", "8"),
        ("maxzoom", "10"),
        ("attribution", "© test"),
        ("bounds", "7.0,43.5,7.6,44.0"),
        *extra_metadata,
    ]
    db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata)
    for (z, x, y), data in tiles.items():
        stored = gzip.compress(data) if zipped else data
        # TMS: rows count from the south.
        db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", [z, x, (1 << z) - 1 - y, stored])
    db.commit()
    db.close()


def test_mbtiles_vector_tiles_are_served_with_y_flipped_and_gzip(client, places, tmp_path):
    tiles = territory_tiles(client)
    path = tmp_path / "region.mbtiles"
    make_mbtiles(path, tiles, extra_metadata=[("json", '{"vector_layers": [{"id": "communes"}]}')])
    with override_settings(MAP_BASEMAP_ARCHIVE=str(path)):
        for (z, x, y), data in tiles.items():
            response = client.get(f"/basemap/archive/{z}/{x}/{y}")
            assert response.status_code == 200
            assert response["Content-Type"] == "application/x-protobuf"
            assert response["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.content) == data
        assert "communes" in mapbox_vector_tile.decode(gzip.decompress(response.content))
        tag = response["ETag"]
        again = client.get(f"/basemap/archive/{z}/{x}/{y}", HTTP_IF_NONE_MATCH=tag)
        assert again.status_code == 304
        missing = client.get(f"/basemap/archive/{z}/{x}/{y + 1}")
        assert missing.status_code == 404 and missing.json()["code"] == "no_tile"
        assert client.get("/basemap/archive/3/9/0").status_code == 404
        assert client.get(PMTILES_URL).status_code == 404  # not the PMTiles route


def test_mbtiles_raster_tiles_get_their_content_type(client, places, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    path = tmp_path / "raster.mbtiles"
    make_mbtiles(path, {(9, 266, 186): png}, fmt="png", zipped=False)
    with override_settings(MAP_BASEMAP_ARCHIVE=str(path)):
        response = client.get("/basemap/archive/9/266/186")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not response.has_header("Content-Encoding")
    assert response.content == png


def test_mbtiles_is_opened_read_only(client, places, tmp_path):
    path = tmp_path / "region.mbtiles"
    make_mbtiles(path, {(9, 266, 186): b"\x1a\x00"}, zipped=False)
    path.chmod(0o444)
    before = path.read_bytes()
    with override_settings(MAP_BASEMAP_ARCHIVE=str(path)):
        assert client.get("/basemap/archive/9/266/186").status_code == 200
    assert path.read_bytes() == before
    assert not (tmp_path / "region.mbtiles-journal").exists()
