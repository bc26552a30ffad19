"""MapLibre GL JS draws the style of a project's contribution tiles in Chromium, from the
style's address alone (docs/tiles.md). Apart from tests/layers/test_tile_styles.py: the module
fixture of the demo there and the browser's do not share a module cleanly (the database's
teardown then finds a connection still open)."""

import pytest

from tests.conftest import ARTIFACTS, need
from tests.layers.test_tile_styles import NICE, TOOLS, demo_with_shapes


@pytest.fixture
def live_world(live_server, transactional_db):
    return demo_with_shapes(), live_server.url


MAPLIBRE = TOOLS / "node_modules" / "maplibre-gl" / "dist"
MAP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>style</title>
<style>{css} body {{ margin: 0 }} #map {{ width: 100vw; height: 100vh }}</style></head>
<body><div id="map"></div></body></html>"""
DRAW = """async ([style, view]) => {
    const errors = [];
    if (window.shown) window.shown.remove();
    const map = window.shown = new maplibregl.Map({
        container: "map", style, fadeDuration: 0, attributionControl: false,
        canvasContextAttributes: {preserveDrawingBuffer: true},
    });
    map.on("error", (e) => errors.push(String((e.error && e.error.message) || e)));
    await new Promise((resolve) => map.once("idle", resolve));
    if (view) {
        map.fitBounds(view, {animate: false});
        await new Promise((resolve) => map.once("idle", resolve));
    }
    const drawn = {};
    for (const layer of map.getStyle().layers) {
        drawn[layer.id] = map.queryRenderedFeatures({layers: [layer.id]}).length;
    }
    return {errors, drawn, zoom: map.getZoom()};
}"""


@pytest.mark.slow
def test_maplibre_draws_the_style_in_a_browser(live_world, page):
    """MapLibre GL JS (tools/node_modules) in Chromium, from the style's address alone."""
    need((MAPLIBRE / "maplibre-gl.js").is_file(), "tools/node_modules has no maplibre-gl")
    demo, base = live_world
    themes = list(demo.themes.order_by("position").values_list("slug", flat=True))
    css = (MAPLIBRE / "maplibre-gl.css").read_text()
    # A page of the live server's origin (the tiles are same-origin), made here; the glyphs
    # (a third party's) are answered empty: the labels are QGIS's and MapLibre's concern
    # elsewhere, the shapes and colours are this test's.
    page.route(
        f"{base}/maplibre-check",
        lambda route: route.fulfill(content_type="text/html", body=MAP_PAGE.format(css=css)),
    )
    page.route(
        "https://demotiles.maplibre.org/**",
        lambda route: route.fulfill(content_type="application/x-protobuf", body=b""),
    )
    page.goto(f"{base}/maplibre-check")
    page.add_script_tag(path=str(MAPLIBRE / "maplibre-gl.js"))
    style_url = f"{base}/tiles/piter-alpimed/style.json?lang=it"
    whole = page.evaluate(DRAW, [style_url, None])
    assert not whole["errors"], whole["errors"]
    drawn = whole["drawn"]
    assert drawn["clusters"] > 5 and drawn["communes-outline"] > 20, drawn
    assert drawn["perimeter-outline"] > 0, drawn
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "tile_style_maplibre.png"))
    west, south, east, north = NICE
    close = page.evaluate(DRAW, [style_url, [[west, south], [east, north]]])
    assert not close["errors"], close["errors"]
    drawn = close["drawn"]
    assert drawn[f"lines-{themes[0]}"] > 0 and drawn[f"areas-{themes[-1]}"] > 0, drawn
    assert sum(drawn[f"points-{slug}"] for slug in themes) > 10, drawn
    page.screenshot(path=str(folder / "tile_style_maplibre_close.png"))
    assert not page.js_errors, page.js_errors
    page.goto("about:blank")  # no request left open on the live server
