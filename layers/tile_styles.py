"""What a GIS client needs to open a project's contribution tiles styled: a TileJSON 3.0.0
document and a MapLibre style (version 8) that QGIS reads too (docs/tiles.md).

Both are built from the data: the tiles' layers and fields (as layers/tiles.py writes them),
the zooms the site's maps use (LEAFLET_CONFIG), the project's perimeter, and the themes'
colours as the public map reads them (Theme.colour, in the themes' order).
"""

import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from contributions.models import Project, Theme
from core.i18n import localized
from layers import tiles
from layers.basemap import territory
from territories.models import Territory

TILEJSON_VERSION = "3.0.0"
STYLE_VERSION = 8

# The public map's colour for a theme without one (mapping/static/mapping/modules/view.js),
# and the palette of the territory basemap as the site draws it (mapping/static/mapping/basemap.js).
DEFAULT_COLOUR = "#1f6feb"
CLUSTER_COLOUR = "#37474f"
COMMUNE_FILL = "#f3eedf"
COMMUNE_LINE = "#a4a9ad"
PARENT_LINE = "#6d737a"
INK = "#2b2b2b"
HALO = "#ffffff"
FONT = ["Open Sans Semibold"]
# Signed distance field glyphs for MapLibre's labels (QGIS draws labels with its own fonts).
# The site serves none: MAP_GLYPHS_URL names a glyph server, else MapLibre's demonstration
# fonts, which carry "Open Sans Semibold".
DEFAULT_GLYPHS = "https://demotiles.maplibre.org/font/{fontstack}/{range}.pbf"

# The layers of a contribution tile and their fields, as layers/tiles.py writes them (its
# points and its clusters share the `contributions` layer), typed as tippecanoe and GDAL's
# MVT driver read a TileJSON's `fields`: Number, String, Boolean. A test decodes tiles and
# holds this list to them.
CONTRIBUTION_FIELDS = {
    "id": "String",
    "kind": "String",
    "theme": "String",
    "title": "String",
    "status": "String",
    "vote_count": "Number",
    "count": "Number",
    "cluster": "Boolean",
    "themes": "String",
}
COMMUNE_FIELDS = {"name": "String", "code": "String", "population": "Number"}
PERIMETER_FIELDS = {"name": "String"}

# Labels of the territory basemap shown by zoom, as the site's map does (basemap.js shownAt):
# ranks up to 5 to zoom 7, 6 to zoom 9, every commune closer.
LABEL_RANKS = ((None, 8, 5), (8, 10, 6), (10, None, 9))


def zoom_range() -> tuple[int, int]:
    """The zooms the site's maps show (LEAFLET_CONFIG); the tile route serves 0 to 22."""
    config = settings.LEAFLET_CONFIG
    return int(config.get("MIN_ZOOM", 0)), int(config.get("MAX_ZOOM", 19))


def language_or_default(value: str | None, fallback: str | None = None) -> str:
    """`value` when it is one of the site's languages, else `fallback` (the request's), else
    LANGUAGE_CODE: a client asking for a language the site lacks still gets a document."""
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (value, fallback):
        code = (candidate or "").split("-")[0].lower()
        if code in known:
            return code
    return settings.LANGUAGE_CODE


def _bounds(project: Project) -> list[float]:
    extent = Territory.objects.filter(pk=project.perimeter_id).aggregate(box=Extent("geom"))["box"]
    if extent is None:
        return [-180.0, -85.0511, 180.0, 85.0511]
    return [round(value, 6) for value in extent]


def _center(bounds: list[float]) -> list[float]:
    """The middle of the bounds, at the zoom that shows them whole on a screen (about four
    tiles across), within the tiles' zooms."""
    west, south, east, north = bounds
    span = max(east - west, (north - south) * 1.5, 1e-6)
    low, high = zoom_range()
    zoom = max(low, min(high, math.floor(math.log2(360.0 / span)) + 1))
    return [round((west + east) / 2, 6), round((south + north) / 2, 6), zoom]


def _template(name: str, args: list, suffix: str) -> str:
    """The route's path with {z}/{x}/{y} where the numbers go."""
    url = reverse(name, args=[*args, 0, 0, 0])
    return url[: -len("0/0/0" + suffix)] + "{z}/{x}/{y}" + suffix


def themes(project: Project) -> list[tuple[str, str, str]]:
    """(slug, name in the active language, colour) of each theme, in the public map's order."""
    return [
        (theme.slug, localized(theme.name) or theme.slug, theme.colour or DEFAULT_COLOUR)
        for theme in Theme.objects.filter(project=project).order_by("position", "slug")
    ]


def attribution(project: Project) -> str:
    return _("Contributions: residents of %(project)s; boundaries: %(source)s") % {
        "project": localized(project.title) or project.slug,
        "source": territory.attribution() or _("this site"),
    }


def vector_layers() -> list[dict]:
    return [
        {
            "id": "contributions",
            "description": _(
                "Contributions: clusters (cluster, count, themes) below zoom %(zoom)s or where "
                "a tile would hold too many, the contributions themselves closer."
            )
            % {"zoom": tiles.POINTS_FROM_ZOOM},
            "fields": dict(CONTRIBUTION_FIELDS),
        },
        {
            "id": "communes",
            "description": _("The communes of the project's perimeter."),
            "fields": dict(COMMUNE_FIELDS),
        },
        {
            "id": "perimeter",
            "description": _("The project's perimeter."),
            "fields": dict(PERIMETER_FIELDS),
        },
    ]


def tilejson_path(project: Project) -> str:
    return reverse("tile-tilejson", args=[project.slug])


def tilejson(project: Project, *, site: str, language: str) -> dict:
    """The TileJSON 3.0.0 document of the project's contribution tiles; `site` is the
    absolute address of the site's root (scheme and host, no trailing slash)."""
    low, high = zoom_range()
    bounds = _bounds(project)
    with translation.override(language):
        return {
            "tilejson": TILEJSON_VERSION,
            "name": localized(project.title) or project.slug,
            "description": localized(project.description)
            or _("Contributions to %(project)s")
            % {"project": localized(project.title) or project.slug},
            "version": "1.0.0",
            "attribution": attribution(project),
            "scheme": "xyz",
            "tiles": [site + _template("tile", [project.slug], ".pbf")],
            "minzoom": low,
            "maxzoom": high,
            "bounds": bounds,
            "center": _center(bounds),
            "vector_layers": vector_layers(),
        }


def _basemap_source(site: str, language: str) -> dict:
    query = urlencode({"lang": language, "version": territory.version()})
    return {
        "type": "vector",
        "tiles": [site + _template("basemap-territory", [], ".pbf") + "?" + query],
        "minzoom": territory.MIN_ZOOM,
        "maxzoom": territory.MAX_ZOOM,
        "attribution": territory.attribution(),
    }


def _territory_layers() -> list[dict]:
    """Perimeters, communes and their parents, then their names: the basemap, under."""
    # No background nor opaque fill: in QGIS the layer is often drawn over another basemap,
    # which must show through (and QGIS would paint a background only where a tile exists).
    layers = [
        {
            "id": "communes-fill",
            "type": "fill",
            "source": "territory",
            "source-layer": "communes",
            "paint": {"fill-color": COMMUNE_FILL, "fill-opacity": 0.45},
        },
        {
            "id": "communes-outline",
            "type": "line",
            "source": "territory",
            "source-layer": "communes",
            "paint": {
                "line-color": COMMUNE_LINE,
                "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.7, 11, 1],
            },
        },
        {
            "id": "parents-outline",
            "type": "line",
            "source": "territory",
            "source-layer": "parents",
            "paint": {
                "line-color": PARENT_LINE,
                "line-width": ["interpolate", ["linear"], ["zoom"], 9, 1.4, 10, 2],
            },
        },
        {
            "id": "perimeter-outline",
            "type": "line",
            "source": "territory",
            "source-layer": "perimeter",
            "paint": {"line-color": PARENT_LINE, "line-width": 2, "line-dasharray": [3, 2]},
        },
    ]
    for low, high, max_rank in LABEL_RANKS:
        layer = {
            "id": f"commune-labels-{max_rank}",
            "type": "symbol",
            "source": "territory",
            "source-layer": "labels",
            "filter": ["<=", ["to-number", ["get", "rank"], 9], max_rank],
            "layout": {
                "text-field": ["get", "name"],
                "text-font": FONT,
                "text-size": 12,
                "text-max-width": 8,
                "symbol-sort-key": ["to-number", ["get", "rank"], 9],
            },
            "paint": {"text-color": INK, "text-halo-color": HALO, "text-halo-width": 1.5},
        }
        if low is not None:
            layer["minzoom"] = low
        if high is not None:
            layer["maxzoom"] = high
        layers.append(layer)
    return layers


def _contribution_layers(project: Project) -> list[dict]:
    """Areas, lines, then points by theme (one layer each, so a GIS client lists the themes),
    clusters on top with their counts."""
    found = themes(project)
    areas, lines, points = [], [], []
    for slug, name, colour in found:
        theme = ["==", ["get", "theme"], slug]
        not_cluster = ["!=", ["get", "cluster"], True]
        meta = {"theme": slug, "name": name}
        areas.append(
            {
                "id": f"areas-{slug}",
                "type": "fill",
                "source": "contributions",
                "source-layer": "contributions",
                "filter": ["all", ["==", ["geometry-type"], "Polygon"], theme],
                "metadata": meta,
                "paint": {
                    "fill-color": colour,
                    "fill-opacity": 0.3,
                    "fill-outline-color": colour,
                },
            }
        )
        lines.append(
            {
                "id": f"lines-{slug}",
                "type": "line",
                "source": "contributions",
                "source-layer": "contributions",
                "filter": ["all", ["==", ["geometry-type"], "LineString"], theme],
                "metadata": meta,
                "layout": {"line-cap": "round", "line-join": "round"},
                "paint": {"line-color": colour, "line-width": 4},
            }
        )
        points.append(
            {
                "id": f"points-{slug}",
                "type": "circle",
                "source": "contributions",
                "source-layer": "contributions",
                "filter": ["all", ["==", ["geometry-type"], "Point"], not_cluster, theme],
                "metadata": meta,
                "paint": {
                    "circle-color": colour,
                    "circle-radius": 6,
                    "circle-stroke-color": HALO,
                    "circle-stroke-width": 1.5,
                },
            }
        )
    is_cluster = ["==", ["get", "cluster"], True]
    clusters = [
        {
            "id": "clusters",
            "type": "circle",
            "source": "contributions",
            "source-layer": "contributions",
            "filter": is_cluster,
            "paint": {
                "circle-color": CLUSTER_COLOUR,
                "circle-opacity": 0.85,
                "circle-radius": [
                    "interpolate",
                    ["linear"],
                    ["to-number", ["get", "count"], 1],
                    2,
                    10,
                    100,
                    18,
                    1000,
                    26,
                ],
                "circle-stroke-color": HALO,
                "circle-stroke-width": 2,
            },
        },
        {
            "id": "cluster-counts",
            "type": "symbol",
            "source": "contributions",
            "source-layer": "contributions",
            "filter": is_cluster,
            "layout": {
                "text-field": ["to-string", ["get", "count"]],
                "text-font": FONT,
                "text-size": 12,
                "text-allow-overlap": True,
            },
            "paint": {"text-color": HALO},
        },
    ]
    return areas + lines + points + clusters


def style_layers(project: Project) -> list[dict]:
    """The style's layers, bottom to top (the QGIS style file is made from them too)."""
    return _territory_layers() + _contribution_layers(project)


def style(project: Project, *, site: str, language: str) -> dict:
    """The MapLibre style (version 8) of the project's contributions over the territory
    basemap, in `language`; its contribution source is the project's TileJSON."""
    document = tilejson(project, site=site, language=language)
    glyphs = settings.MAP_GLYPHS_URL or DEFAULT_GLYPHS
    with translation.override(language):
        legend = [
            {"theme": slug, "name": name, "colour": colour}
            for slug, name, colour in themes(project)
        ]
        return {
            "version": STYLE_VERSION,
            "name": document["name"],
            "metadata": {
                "mapping:project": project.slug,
                "mapping:language": language,
                "mapping:legend": legend,
            },
            "center": document["center"][:2],
            "zoom": document["center"][2],
            "glyphs": glyphs,
            "sources": {
                "territory": _basemap_source(site, language),
                "contributions": {
                    "type": "vector",
                    "url": site + tilejson_path(project) + "?" + urlencode({"lang": language}),
                    "attribution": document["attribution"],
                },
            },
            "layers": style_layers(project),
        }
