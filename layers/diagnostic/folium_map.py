"""map.html: a folium map that opens offline, whatever the number of contributions.

Folium links Leaflet, jQuery, Bootstrap and icon fonts from CDNs; the diagnostic is read on
machines without a network (workshops, offices behind proxies), so those links are dropped
and the Leaflet that django-leaflet ships (BSD-2-Clause) is inlined, its images as data URIs.
Nothing here needs the other libraries: circles, polygons, tooltips and a layer control are
Leaflet's own. Commune outlines and names orient the reader without any basemap; a tile service
is added only when the operator configured one (LEAFLET_CONFIG["TILES"], docs/basemap.md).

Contributions are drawn as grid clusters (counts per cell, coarsened until at most
MAX_CLUSTERS cells), never one marker each, so the file stays small at a million.

Folium and Leaflet put text into the page as HTML: the page title, layer names, the legend and
tooltips (whose values Leaflet sets with innerHTML). Project titles, commune and theme names
are data, so every text goes through `_html` (and tooltips through `_tooltip_layer`) on its way
in; only markup written here (the legend, a line break) is not escaped.
"""

import base64
import html
import math
from pathlib import Path

import folium
import leaflet
import numpy as np
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pyproj import Transformer

from core.i18n import localized
from core.postgis import METRIC_SRID, STORAGE_SRID
from layers.diagnostic.formatting import number
from layers.diagnostic.queries import GridCounts

VENDOR = Path(leaflet.__file__).resolve().parent / "static" / "leaflet"
MAX_CLUSTERS = 1500
CHOROPLETH_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_DATA_COLOUR = "#bdbdbd"
HOTSPOT_COLOUR = "#111111"
TO_WGS84 = Transformer.from_crs(METRIC_SRID, STORAGE_SRID, always_xy=True)


def _inline_leaflet() -> str:
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((VENDOR / "images" / image).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    js = (VENDOR / "leaflet.js").read_text(encoding="utf-8")
    # A literal "</script>" inside the library would end the element early.
    js = js.replace("</script", "<\\/script")
    return f"<style>{css}</style>\n<script>{js}</script>"


def class_breaks(values, classes: int = len(CHOROPLETH_COLOURS) - 1) -> list[float]:
    """Upper bounds of quantile classes (distinct, ascending) over the positive values; zero
    has a class of its own (the first colour)."""
    values = sorted(v for v in values if v)
    if not values:
        return []
    quantiles = np.quantile(values, [(k + 1) / classes for k in range(classes)])
    return sorted({round(float(q), 2) for q in quantiles})


def colour_for(value, breaks) -> str:
    if value is None:
        return NO_DATA_COLOUR
    if value == 0 or not breaks:
        return CHOROPLETH_COLOURS[0]
    for index, upper in enumerate(breaks):
        if value <= upper:
            return CHOROPLETH_COLOURS[index + len(CHOROPLETH_COLOURS) - len(breaks)]
    return CHOROPLETH_COLOURS[-1]


def map_clusters(counts: GridCounts, limit: int = MAX_CLUSTERS) -> list[dict]:
    """Grid clusters: the base counts merged into 2x coarser cells until at most `limit`."""
    if not len(counts.n):
        return []
    factor = 1
    while True:
        keys = ((counts.i // factor) << 32) + ((counts.j // factor) & 0xFFFFFFFF)
        unique, inverse = np.unique(keys, return_inverse=True)
        if len(unique) <= limit:
            break
        factor *= 2
    n = np.bincount(inverse, weights=counts.n)
    sx = np.bincount(inverse, weights=counts.sx)
    sy = np.bincount(inverse, weights=counts.sy)
    lon, lat = TO_WGS84.transform(sx / n, sy / n)
    clusters = [
        {
            "count": int(c),
            "lon": float(x),
            "lat": float(y),
            "themes": {},
            "cell": counts.cell * factor,
        }
        for c, x, y in zip(n, lon, lat, strict=True)
    ]
    for index, theme_id, count in zip(inverse, counts.theme_id, counts.n, strict=True):
        themes = clusters[index]["themes"]
        themes[int(theme_id)] = themes.get(int(theme_id), 0) + int(count)
    return clusters


def _html(value) -> str:
    """A text (or a number) as HTML text, quotes included (it may land in an attribute)."""
    return html.escape(str(value), quote=True)


def _tooltip_layer(features, *, fields: dict, markup=(), **options) -> folium.GeoJson:
    """A GeoJSON layer whose tooltip shows `fields` ({property: heading}). Leaflet writes
    tooltips as HTML, so every property shown is escaped here except those in `markup`,
    which the caller builds from escaped parts."""
    shown = []
    for feature in features:
        properties = dict(feature["properties"])
        for name in fields:
            if name not in markup:
                properties[name] = _html(properties[name])
        shown.append({**feature, "properties": properties})
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": shown},
        tooltip=folium.GeoJsonTooltip(
            fields=list(fields), aliases=[_html(alias) for alias in fields.values()]
        ),
        **options,
    )


def _layer(name: str) -> folium.FeatureGroup:
    # Leaflet's layer control shows the name as HTML.
    return folium.FeatureGroup(name=_html(name))


def build_map(
    *,
    title: str,
    perimeter: dict,
    communes: list[dict],
    area_rows: list[dict],
    clusters: list[dict],
    hotspots,
    themes: list[dict],
) -> folium.Map:
    bounds = _bounds(perimeter)
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js, fmap.default_css = [], []
    fmap.get_root().header.add_child(folium.Element(_inline_leaflet()), name="leaflet_inline")
    # Branca writes the title between <title> tags as it is.
    fmap.get_root().title = _html(title)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    for _name, url, options in getattr(settings, "LEAFLET_CONFIG", {}).get("TILES") or []:
        folium.TileLayer(
            url,
            name=_html(_("Basemap (online only)")),
            attr=options.get("attribution", ""),
            control=True,
        ).add_to(fmap)

    by_code = {row["code"]: row for row in area_rows}
    breaks = class_breaks(row["per_1000_inhabitants"] for row in area_rows)
    features = []
    for commune in communes:
        row = by_code[commune["code"]]
        value = row["per_1000_inhabitants"]
        features.append(
            {
                "type": "Feature",
                "geometry": commune["geom"],
                "properties": {
                    "name": commune["name"],
                    "code": commune["code"],
                    "population": (
                        f"{number(row['population'])} ({row['population_year']})"
                        if row["population"] is not None and row["population_year"]
                        else number(row["population"])
                    ),
                    "contributions": number(row["contributions"]),
                    "per_1000": number(value, 1) if value is not None else _("no data"),
                    "fill": colour_for(value, breaks),
                },
            }
        )
    choropleth = _layer(_("Contributions per 1,000 inhabitants"))
    _tooltip_layer(
        features,
        fields={
            "name": _("Commune"),
            "code": _("Code"),
            "population": _("Population"),
            "contributions": _("Contributions"),
            "per_1000": _("Per 1,000 inhabitants"),
        },
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.6,
            "color": "#555555",
            "weight": 0.8,
        },
    ).add_to(choropleth)
    choropleth.add_to(fmap)

    folium.GeoJson(
        perimeter,
        name=_html(_("Perimeter")),
        style_function=lambda _f: {"fill": False, "color": "#222222", "weight": 2.5},
    ).add_to(fmap)

    _add_names(fmap, communes)
    _add_clusters(fmap, clusters, themes)
    _add_hotspots(fmap, hotspots, themes)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(_legend(breaks, themes)))
    return fmap


def _add_names(fmap, communes):
    """Commune names at their label point: what orients a reader when no tiles load."""
    layer = _layer(_("Commune names"))
    # Most populous first: when names collide, the script below keeps the earlier one.
    ranked = sorted(communes, key=lambda c: -(c["population"] or 0))
    for rank, commune in enumerate(ranked):
        lon, lat = commune["label"]
        name = _html(commune["name"])
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f'<span class="commune-name" data-rank="{rank}">{name}</span>',
                class_name="commune-label",
                icon_size=(0, 0),
            ),
            interactive=False,
            keyboard=False,
        ).add_to(layer)
    layer.add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(NAME_STYLE), name="commune_names")
    fmap.get_root().html.add_child(folium.Element(NAME_SCRIPT), name="commune_names_script")


# Names centred on their point, legible over any fill; smaller places give way by size only.
NAME_STYLE = """<style>
.commune-label .commune-name { position: absolute; transform: translate(-50%, -50%);
  white-space: nowrap; font: 600 11px/1.2 sans-serif; color: #333; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
</style>"""
# After each move or zoom, hide the names that would overlap a more populous commune's name.
NAME_SCRIPT = """<script>
window.addEventListener("load", function () {
  var map = Object.values(window).find(function (v) { return v instanceof L.Map; });
  function declutter() {
    var names = Array.prototype.slice.call(document.querySelectorAll(".commune-name"));
    names.sort(function (a, b) { return a.dataset.rank - b.dataset.rank; });
    var kept = [];
    names.forEach(function (el) {
      el.style.visibility = "visible";
      var r = el.getBoundingClientRect();
      var clash = kept.some(function (k) {
        return r.left < k.right + 2 && r.right + 2 > k.left && r.top < k.bottom && r.bottom > k.top;
      });
      if (clash) { el.style.visibility = "hidden"; } else { kept.push(r); }
    });
  }
  if (map) { map.on("zoomend moveend overlayadd", declutter); declutter(); }
});
</script>"""


def _bounds(geometry):
    coordinates = np.array(list(_walk(geometry["coordinates"])))
    return (*coordinates.min(axis=0), *coordinates.max(axis=0))


def _walk(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates[:2]
        return
    for item in coordinates:
        yield from _walk(item)


def _add_clusters(fmap, clusters, themes):
    by_id = {t["id"]: t for t in themes}
    largest = max((c["count"] for c in clusters), default=1)
    features = []
    for cluster in clusters:
        dominant = max(cluster["themes"].items(), key=lambda item: item[1])[0]
        lines = [
            f"{_html(localized(by_id[tid]['name']) or by_id[tid]['slug'])}: {number(count)}"
            for tid, count in sorted(cluster["themes"].items(), key=lambda item: -item[1])
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [cluster["lon"], cluster["lat"]]},
                "properties": {
                    "count": number(cluster["count"]),
                    "themes": "<br>".join(lines),
                    "colour": by_id[dominant]["colour"],
                    "radius": round(4 + 16 * math.sqrt(cluster["count"] / largest), 1),
                },
            }
        )
    layer = _layer(_("Contributions (clusters, colour of the main theme)"))
    _tooltip_layer(
        features,
        fields={"count": _("Contributions"), "themes": _("By theme")},
        markup=("themes",),  # lines of escaped names joined by <br>
        marker=folium.CircleMarker(radius=6),
        style_function=lambda f: {
            "radius": f["properties"]["radius"],
            "fill": True,
            "fillColor": f["properties"]["colour"],
            "color": "#ffffff",
            "weight": 1,
            "fillOpacity": 0.85,
        },
    ).add_to(layer)
    layer.add_to(fmap)


def _add_hotspots(fmap, hotspots, themes):
    names = {t["slug"]: localized(t["name"]) or t["slug"] for t in themes}
    features = [
        {
            "type": "Feature",
            "geometry": h.geometry,
            "properties": {
                "rank": h.rank,
                "count": number(h.count),
                "theme": names.get(h.dominant_theme, ""),
            },
        }
        for h in hotspots.hotspots
    ]
    layer = _layer(_("Hotspots (DBSCAN)"))
    if features:
        _tooltip_layer(
            features,
            fields={"rank": _("Hotspot"), "count": _("Contributions"), "theme": _("Main theme")},
            style_function=lambda _f: {
                "color": HOTSPOT_COLOUR,
                "weight": 2,
                "dashArray": "4 3",
                "fillOpacity": 0.05,
            },
        ).add_to(layer)
    layer.add_to(fmap)


def _legend(breaks, themes) -> str:
    rows = [_swatch(CHOROPLETH_COLOURS[0], "0")]
    lower = 0.0
    offset = len(CHOROPLETH_COLOURS) - len(breaks)
    for index, upper in enumerate(breaks):
        colour = CHOROPLETH_COLOURS[index + offset]
        low = number(lower, 1) if lower else number(0)
        rows.append(_swatch(colour, f"{low} – {number(upper, 1)}"))
        lower = upper
    rows.append(_swatch(NO_DATA_COLOUR, _("no data (population unknown)")))
    theme_rows = [
        _swatch(t["colour"], localized(t["name"]) or t["slug"], round_=True) for t in themes
    ]
    return f"""
<div id="diagnostic-legend" style="position: fixed; bottom: 28px; right: 10px; z-index: 1000;
     background: rgba(255,255,255,0.92); padding: 8px 10px; font: 12px/1.4 sans-serif;
     border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 260px;">
  <strong>{_html(_("Contributions per 1,000 inhabitants"))}</strong>
  {"".join(rows)}
  <strong>{_html(_("Contributions (clusters, colour of the main theme)"))}</strong>
  {"".join(theme_rows)}
  <div><span style="display:inline-block;width:14px;height:10px;border:2px dashed
       {HOTSPOT_COLOUR};margin-right:6px"></span>{_html(_("Hotspot"))}</div>
</div>"""


def _swatch(colour, label, *, round_=False):
    radius = "50%" if round_ else "2px"
    return (
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{_html(colour)};'
        f'border-radius:{radius};margin-right:6px;vertical-align:middle"></span>'
        f"{_html(label)}</div>"
    )


def save(fmap: folium.Map, path) -> None:
    """The page, its <html> element saying the reader's language (branca writes none)."""
    page = fmap.get_root().render()
    language = _html((get_language() or settings.LANGUAGE_CODE).split("-")[0])
    page = page.replace("<html>", f'<html lang="{language}">', 1)
    Path(path).write_text(page, encoding="utf-8")
