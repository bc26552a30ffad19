"""The one basemap config: which basemap is shown for each setting, in the reader's language;
the public map's page data and the privacy notice follow it."""

import json
import sqlite3

import pytest
from django.test import override_settings

from layers.basemap import client_config
from tests.basemap.test_archive import make_mbtiles, territory_tiles

pytestmark = pytest.mark.django_db

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
IGN = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
NO_SERVICE = {"LEAFLET_CONFIG": {"TILES": []}, "MAP_BASEMAP_ARCHIVE": ""}
KEYS = {"kind", "language", "url", "attribution", "label", "tiles", "archive", "territory"}


def config(client, **params):
    response = client.get("/basemap/config.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_without_a_tile_service_the_territory_basemap_is_shown(client, places):
    with override_settings(**NO_SERVICE):
        found = config(client, lang="it")
    assert set(found) == KEYS
    assert found["kind"] == "territory"
    assert found["url"] == found["attribution"] == ""
    assert found["tiles"] is None and found["archive"] is None
    territory = found["territory"]
    assert territory["url"].startswith("/basemap/territory/{z}/{x}/{y}.pbf?lang=it&version=")
    assert (territory["minzoom"], territory["maxzoom"]) == (5, 16)
    assert territory["layers"] == ["communes", "parents", "perimeter", "labels"]
    # The stored sources are file names here: the usual source of each country is named.
    assert territory["attribution"] == "IGN Admin Express, ISTAT"
    assert found["label"] and territory["label"]


def test_leaflet_config_tiles_are_the_tile_service(client, places):
    tiles = [("IGN", IGN, {"attribution": "© IGN", "maxZoom": 19})]
    with override_settings(LEAFLET_CONFIG={"TILES": tiles}):
        found = config(client, lang="fr")
    assert found["kind"] == "tiles"
    assert found["url"] == IGN and found["attribution"] == "© IGN"
    assert found["tiles"] == {
        "name": "IGN",
        "url": IGN,
        "attribution": "© IGN",
        "host": "data.geopf.fr",
        "options": {"attribution": "© IGN", "maxZoom": 19},
    }
    assert "data.geopf.fr" in found["label"]
    assert found["territory"]["url"]  # the fallback is always there


def test_a_pmtiles_archive_is_described(client, places, tmp_path):
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    tiles = territory_tiles(client)
    path = tmp_path / "region.pmtiles"
    with open(path, "wb") as handle:
        writer = Writer(handle)
        for (z, x, y), data in sorted(tiles.items(), key=lambda item: zxy_to_tileid(*item[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.NONE},
            {"attribution": "© OpenStreetMap", "vector_layers": [{"id": "communes"}]},
        )
    with override_settings(
        **{
            **NO_SERVICE,
            "LEAFLET_CONFIG": {"TILES": [("OSM", OSM, {})]},
            "MAP_BASEMAP_ARCHIVE": str(path),
        }
    ):
        found = config(client)
    assert found["kind"] == "archive"
    assert found["url"] == ""  # no third-party tiles while the archive is shown
    assert found["archive"] == {
        "format": "pmtiles",
        "url": "/basemap/archive.pmtiles",
        "type": "vector",
        "tileFormat": "pbf",
        "schema": "territory",
        "layers": ["communes"],
        "attribution": "© OpenStreetMap",
        "minzoom": 8,
        "maxzoom": 10,
        "bounds": [-180.0, -90.0, 180.0, 90.0],
        "problem": "",
    }


def test_an_mbtiles_archive_of_another_schema_or_raster(client, places, tmp_path):
    vector = tmp_path / "osm.mbtiles"
    make_mbtiles(
        vector,
        {(9, 266, 186): b"\x1a\x00"},
        extra_metadata=[
            ("json", json.dumps({"vector_layers": [{"id": "roads"}, {"id": "water"}]}))
        ],
    )
    raster = tmp_path / "ortho.mbtiles"
    make_mbtiles(raster, {(9, 266, 186): b"\x89PNG"}, fmt="png", zipped=False)
    with override_settings(**{**NO_SERVICE, "MAP_BASEMAP_ARCHIVE": str(vector)}):
        found = config(client)["archive"]
    assert found["url"] == "/basemap/archive/{z}/{x}/{y}"
    assert (found["format"], found["type"], found["schema"]) == ("mbtiles", "vector", "other")
    assert found["layers"] == ["roads", "water"] and found["bounds"] == [7.0, 43.5, 7.6, 44.0]
    with override_settings(**{**NO_SERVICE, "MAP_BASEMAP_ARCHIVE": str(raster)}):
        found = config(client)["archive"]
    assert (found["type"], found["tileFormat"], found["schema"]) == ("raster", "png", None)


@pytest.mark.parametrize("problem", ["missing", "unreadable", "unsupported", "broken"])
def test_an_archive_that_cannot_be_served_gives_way_to_the_territory_basemap(
    client, places, tmp_path, caplog, problem
):
    path = {
        "missing": tmp_path / "nowhere.pmtiles",
        "unreadable": tmp_path / "text.pmtiles",
        "unsupported": tmp_path / "region.geojson",
        "broken": tmp_path / "broken.mbtiles",
    }[problem]
    if problem == "unreadable":
        path.write_text("not an archive")
    if problem == "unsupported":
        path.write_text("{}")
    if problem == "broken":  # a SQLite file without the MBTiles tables
        sqlite3.connect(path).execute("CREATE TABLE other (a)").connection.commit()
    # Even with a tile service configured: an operator who set an archive wanted no third party.
    with override_settings(
        **{
            **NO_SERVICE,
            "LEAFLET_CONFIG": {"TILES": [("OSM", OSM, {})]},
            "MAP_BASEMAP_ARCHIVE": str(path),
        }
    ):
        found = config(client)
        notice = client.get("/en/privacy/").content.decode()
    assert found["kind"] == "territory"
    assert found["archive"]["problem"] == {"broken": "unreadable"}.get(problem, problem)
    assert found["archive"]["url"] is None
    assert "MAP_BASEMAP_ARCHIVE" in caplog.text
    assert "tile.openstreetmap.org" not in notice


def test_the_config_speaks_the_requests_language(client, places):
    with override_settings(**NO_SERVICE):
        assert config(client, lang="it")["language"] == "it"
        assert (
            client.get("/basemap/config.json", HTTP_ACCEPT_LANGUAGE="it").json()["language"] == "it"
        )
        assert (
            client.get("/basemap/config.json", HTTP_ACCEPT_LANGUAGE="de").json()["language"] == "fr"
        )
        italian = client_config("it")
        english = client_config("en")
    assert italian["territory"]["url"].split("?")[1].startswith("lang=it")
    assert english["territory"]["url"].split("?")[1].startswith("lang=en")


def test_the_public_maps_page_data_carries_the_config(rf, places):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from mapping.page_data import map_config
    from tests.factories import make_project

    project = make_project(places["perimeter"])
    request = rf.get("/")
    request.user = AnonymousUser()
    with (
        override_settings(LEAFLET_CONFIG={"TILES": [("OSM", OSM, {"attribution": "© OSM"})]}),
        translation.override("it"),
    ):
        basemap = map_config(project, request)["basemap"]
    # What map.js reads today, and the rest beside it.
    assert (basemap["url"], basemap["attribution"]) == (OSM, "© OSM")
    assert basemap["kind"] == "tiles" and basemap["language"] == "it"
    with override_settings(**NO_SERVICE):
        basemap = map_config(project, request)["basemap"]
    assert basemap["kind"] == "territory" and basemap["url"] == ""


def test_the_privacy_notice_names_a_tile_host_only_when_one_is_shown(client, places):
    with override_settings(LEAFLET_CONFIG={"TILES": [("IGN", IGN, {})]}, MAP_BASEMAP_ARCHIVE=""):
        html = client.get("/en/privacy/").content.decode()
    assert "data.geopf.fr" in html
    with override_settings(**NO_SERVICE):
        html = client.get("/en/privacy/").content.decode()
    assert "data.geopf.fr" not in html and "tile.openstreetmap.org" not in html
    assert "The background map comes from this server." in html
    assert "No third party receives anything" in html
