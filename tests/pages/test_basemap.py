"""The public map orients a person with no third party: with every other host blocked, the
basemap the application serves (its territories, or a tile archive it holds) names the
communes in the reader's language. protomaps-leaflet draws names on a canvas; basemap.js lists
the names it placed in view for screen readers, which is what these tests read.
Screenshots land in artifacts/screenshots/."""

import math
from urllib.parse import urlsplit

import pytest

from tests.conftest import screenshot
from tests.pages.conftest import open_map

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PLACES = "#map ~ .basemap-places, .map-wrap ~ .basemap-places"


def only_this_server(page, base):
    """Aborts every request to another host, and keeps them for the test to check."""
    elsewhere = []
    own = urlsplit(base).netloc

    def route(route):
        if urlsplit(route.request.url).netloc in (own, ""):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return elsewhere


def places_on_map(page):
    page.wait_for_function(
        "(sel) => { const p = document.querySelector(sel);"
        " return p && p.getAttribute('data-places'); }",
        arg=PLACES,
        timeout=15_000,
    )
    return page.locator(PLACES).first.get_attribute("data-places").split("|")


@pytest.mark.parametrize("language, nice", [("fr", "Nice"), ("en", "Nice"), ("it", "Nizza")])
def test_the_territory_basemap_names_communes_with_no_other_host(live_demo, page, language, nice):
    project, base = live_demo
    elsewhere = only_this_server(page, base)
    open_map(page, base, project.slug, language)
    names = places_on_map(page)
    assert nice in names, names
    assert len(names) >= 5, names
    assert page.locator("#map").get_attribute("data-basemap") == "territory"
    # The page says which basemap it shows, and the names are read out with the map.
    note = page.locator(".basemap-note").first
    assert note.is_visible() and note.inner_text().strip()
    described = page.locator("#map").get_attribute("aria-describedby")
    assert page.locator(PLACES).first.get_attribute("id") in described
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, f"basemap-territory-{language}")
    assert elsewhere == []


def tile_xy(lon, lat, z):
    """The web-mercator tile holding a point."""
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def build_archive(path, project, language="fr"):
    """A PMTiles archive of the application's own territory tiles over the perimeter."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    from layers.basemap import territory

    west, south, east, north = project.perimeter.geom.extent
    tiles = {}
    for z in range(5, 11):
        x0, y0 = tile_xy(west, north, z)
        x1, y1 = tile_xy(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = territory.tile(z, x, y, language)
                if data:
                    tiles[zxy_to_tileid(z, x, y)] = data
    with open(path, "wb") as handle:
        writer = Writer(handle)
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.NONE,
                "min_zoom": 5,
                "max_zoom": 10,
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": 8,
                "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            },
            {
                "attribution": "IGN Admin Express, ISTAT",
                "vector_layers": [{"id": name} for name in territory.LAYERS],
            },
        )
    return path


def test_a_local_pmtiles_archive_is_drawn_with_no_other_host(live_demo, page, settings, tmp_path):
    project, base = live_demo
    settings.MAP_BASEMAP_ARCHIVE = str(build_archive(tmp_path / "territory.pmtiles", project))
    elsewhere = only_this_server(page, base)
    archive_reads = []
    page.on(
        "request",
        lambda r: archive_reads.append(r.url) if "/basemap/archive" in r.url else None,
    )
    open_map(page, base, project.slug, "fr")
    names = places_on_map(page)
    assert "Nice" in names, names
    assert page.locator("#map").get_attribute("data-basemap") == "archive"
    assert archive_reads, "the map did not read the archive"
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "basemap-archive-fr")
    assert elsewhere == []
