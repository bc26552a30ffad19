"""What the browser needs to draw the basemap, as one JSON-able dict (docs/basemap.md)."""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import basemap as choice
from layers.basemap import archive as archive_module
from layers.basemap import territory

VECTOR_FORMATS = ("pbf", "mvt")


def _template(name: str, suffix: str = "") -> str:
    """The route's address with {z}/{x}/{y} where the numbers go."""
    url = reverse(name, args=[0, 0, 0])
    return url[: -len("0/0/0" + suffix)] + "{z}/{x}/{y}" + suffix


def _json_options(options: dict) -> dict:
    plain = (str, int, float, bool, list, dict, type(None))
    return {str(k): v for k, v in options.items() if isinstance(v, plain)}


def tile_service_config(service) -> dict | None:
    if service is None:
        return None
    return {
        "name": service.name,
        "url": service.url,
        "attribution": service.attribution,
        "host": service.host,
        "options": _json_options(service.options),
    }


def archive_config(archive) -> dict | None:
    """The configured archive as the client reads it; `problem` says why it is not shown."""
    if archive.path is None:
        return None
    info = {"problem": archive.problem} if archive.problem else archive_module.describe(archive)
    if info["problem"]:
        return {"format": archive.format, "problem": info["problem"], "url": None}
    vector = info["tile_format"] in VECTOR_FORMATS
    layers = info["vector_layers"]
    url = (
        reverse("basemap-archive")
        if archive.format == "pmtiles"
        else _template("basemap-archive-tile")
    )
    return {
        "format": archive.format,
        "url": url,
        "tileFormat": info["tile_format"],
        "type": "vector" if vector else "raster",
        # The territory schema: the same layers as the territory basemap, drawn alike.
        "schema": ("territory" if "communes" in layers else "other") if vector else None,
        "layers": layers,
        "attribution": info["attribution"],
        "minzoom": info["min_zoom"],
        "maxzoom": info["max_zoom"],
        "bounds": info["bounds"],
        "problem": "",
    }


def territory_config(language: str) -> dict:
    """The territory basemap; `label` is what the page says when it stands in for a tile
    service that does not answer."""
    with translation.override(language):
        label = _(
            "Background map: communes and territories drawn by this site, as the map service "
            "cannot be reached."
        )
    return {
        "url": _template("basemap-territory", ".pbf")
        + f"?lang={language}&version={territory.version()}",
        "minzoom": territory.MIN_ZOOM,
        "maxzoom": territory.MAX_ZOOM,
        "attribution": territory.attribution(),
        "layers": list(territory.LAYERS),
        "label": label,
    }


def client_config(language: str) -> dict:
    """Which basemap the map shows (`kind`: archive, tiles or territory), how to load each
    one available, and a sentence saying which (`label`), in `language`. The territory basemap is
    always there: the client falls back to it when the tile service does not answer.
    `url` and `attribution` are the tile service's when it is shown (what map.js read before
    the other kinds existed), else empty."""
    archive = choice.archive_file()
    archive_part = archive_config(archive)
    service = choice.tile_service()
    if archive_part is not None:
        kind = "territory" if archive_part["problem"] else "archive"
    else:
        kind = "tiles" if service else "territory"
    shown = service if kind == "tiles" else None
    with translation.override(language):
        label = _label(kind, service)
    return {
        "kind": kind,
        "language": language,
        "url": shown.url if shown else "",
        "attribution": shown.attribution if shown else "",
        "label": label,
        "tiles": tile_service_config(service),
        "archive": archive_part,
        "territory": territory_config(language),
    }


def _label(kind, service) -> str:
    if kind == "tiles":
        return _(
            "Background map: %(host)s, a third-party service that receives your browser's "
            "address and the area you look at."
        ) % {"host": service.host}
    if kind == "archive":
        return _("Background map: a map extract served by this site (no third-party service).")
    return _("Background map: communes and territories of the project (no third-party service).")
