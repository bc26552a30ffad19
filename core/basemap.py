"""Which basemap the settings choose (docs/basemap.md): a self-hosted tile archive, a tile
service, or the application's own territory basemap.

Settings and the file system only, no database: layers builds the map's configuration from
it, and the privacy notice names a third party only when the pages load one.
"""

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

# The first bytes of each archive format: a file named .pmtiles that is not one is refused.
MAGIC = {"pmtiles": b"PMTiles", "mbtiles": b"SQLite format 3\x00"}


@dataclass(frozen=True)
class TileService:
    name: str
    url: str
    attribution: str
    options: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        """The host that receives residents' requests ({s} subdomains dropped)."""
        return urlsplit(self.url).netloc.replace("{s}.", "")


@dataclass(frozen=True)
class ArchiveFile:
    path: Path | None
    format: str = ""  # pmtiles or mbtiles
    problem: str = ""  # missing, unreadable, unsupported; empty when it can be served


def tile_service() -> TileService | None:
    """The tile service of django-leaflet's LEAFLET_CONFIG["TILES"] (its first layer: a URL, or
    (name, url, options) tuples), the one basemap setting; None when it names none."""
    tiles = getattr(settings, "LEAFLET_CONFIG", {}).get("TILES")
    if not tiles:
        return None
    if isinstance(tiles, str):
        tiles = [("", tiles, {})]
    for entry in tiles or []:
        entry = list(entry)
        if len(entry) < 2 or not entry[1]:
            continue
        options = dict(entry[2]) if len(entry) > 2 and entry[2] else {}
        attribution = str(options.get("attribution", ""))
        return TileService(str(entry[0]), str(entry[1]), attribution, options)
    return None


def archive_file() -> ArchiveFile:
    """MAP_BASEMAP_ARCHIVE, checked: its format from its suffix, confirmed by its first bytes."""
    configured = getattr(settings, "MAP_BASEMAP_ARCHIVE", "") or ""
    if not configured:
        return ArchiveFile(None)
    path = Path(configured)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in MAGIC:
        return _problem(path, fmt, "unsupported")
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(MAGIC[fmt]))
    except FileNotFoundError:
        return _problem(path, fmt, "missing")
    except OSError:
        return _problem(path, fmt, "unreadable")
    if start != MAGIC[fmt] or not os.access(path, os.R_OK):
        return _problem(path, fmt, "unreadable")
    return ArchiveFile(path, fmt)


def _problem(path, fmt, problem):
    log.warning(
        "MAP_BASEMAP_ARCHIVE %s is %s: the territory basemap is shown instead", path, problem
    )
    return ArchiveFile(path, fmt, problem)


def shown_kind(archive: ArchiveFile | None = None) -> str:
    """archive (a usable one is configured), tiles (a tile service), or territory. An archive
    that cannot be served gives way to the territory basemap, never to a third party: whoever
    configured one wanted the map served from here."""
    archive = archive or archive_file()
    if archive.path is not None:
        return "archive" if not archive.problem else "territory"
    return "tiles" if tile_service() else "territory"


def third_party_host() -> str:
    """The host that receives residents' requests for the background map, or ""."""
    return tile_service().host if shown_kind() == "tiles" else ""
