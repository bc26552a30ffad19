"""A self-hosted tile archive (MAP_BASEMAP_ARCHIVE): what it holds, its bytes, its tiles.

PMTiles is served as the file itself, by byte ranges (the browser's pmtiles reader asks for
the header, then directories and tiles); MBTiles is a SQLite database, served tile by tile.
The file is the one the settings name: nothing in a request chooses a path.
"""

import gzip
import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType

from core.basemap import ArchiveFile

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pbf": "application/x-protobuf",
    "mvt": "application/x-protobuf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "avif": "image/avif",
}
PMTILES_TYPES = {
    TileType.MVT: "pbf",
    TileType.PNG: "png",
    TileType.JPEG: "jpg",
    TileType.WEBP: "webp",
    TileType.AVIF: "avif",
}
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 64 * 1024
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Stat:
    size: int
    mtime: float
    etag: str


def stat(path: Path) -> Stat:
    info = os.stat(path)
    return Stat(info.st_size, info.st_mtime, f'"{info.st_mtime_ns:x}-{info.st_size:x}"')


# What an archive holds, read once per file version (path, size, modification time).
_described: dict[tuple, dict] = {}


def describe(archive: ArchiveFile) -> dict:
    """The archive's format, tile format, zooms, bounds, attribution and vector layers; a
    `problem` (and nothing else) when it cannot be read."""
    try:
        info = os.stat(archive.path)
        key = (str(archive.path), info.st_size, info.st_mtime_ns)
    except OSError:
        return {"problem": "missing"}
    if key not in _described:
        try:
            reader = _pmtiles_info if archive.format == "pmtiles" else _mbtiles_info
            _described.clear()
            _described[key] = {"problem": "", **reader(archive.path)}
        except (OSError, ValueError, KeyError, sqlite3.Error, json.JSONDecodeError):
            log.warning("MAP_BASEMAP_ARCHIVE %s cannot be read", archive.path, exc_info=True)
            return {"problem": "unreadable"}
    return _described[key]


def _pmtiles_info(path: Path) -> dict:
    with open(path, "rb") as handle:
        reader = Reader(MmapSource(handle))
        header = reader.header()
        metadata = reader.metadata() or {}
    tile_format = PMTILES_TYPES.get(header["tile_type"], "")
    bounds = [
        header["min_lon_e7"] / 1e7,
        header["min_lat_e7"] / 1e7,
        header["max_lon_e7"] / 1e7,
        header["max_lat_e7"] / 1e7,
    ]
    return {
        "tile_format": tile_format,
        "min_zoom": header["min_zoom"],
        "max_zoom": header["max_zoom"],
        "bounds": bounds,
        "attribution": str(metadata.get("attribution", "")),
        "vector_layers": _layer_ids(metadata.get("vector_layers")),
    }


def _mbtiles_info(path: Path) -> dict:
    with _open_mbtiles(path) as db:
        metadata = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        zooms = db.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
    extra = json.loads(metadata["json"]) if metadata.get("json") else {}
    bounds = [float(v) for v in metadata["bounds"].split(",")] if metadata.get("bounds") else None
    return {
        "tile_format": str(metadata.get("format", "")).lower(),
        "min_zoom": int(metadata.get("minzoom", zooms[0] if zooms[0] is not None else 0)),
        "max_zoom": int(metadata.get("maxzoom", zooms[1] if zooms[1] is not None else 0)),
        "bounds": bounds,
        "attribution": str(metadata.get("attribution", "")),
        "vector_layers": _layer_ids(extra.get("vector_layers")),
    }


def _layer_ids(layers) -> list[str]:
    return [str(layer.get("id")) for layer in layers or [] if isinstance(layer, dict)]


def _open_mbtiles(path: Path):
    # Read-only by the URI, whatever the file's permissions: serving never writes to it.
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def mbtiles_tile(path: Path, z: int, x: int, y: int) -> tuple[bytes | None, str]:
    """The tile's bytes (None when the archive lacks it) and its format; MBTiles numbers
    rows from the south (TMS), so the map's y is flipped."""
    info = describe(ArchiveFile(path, "mbtiles"))
    with _open_mbtiles(path) as db:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            [z, x, (1 << z) - 1 - y],
        ).fetchone()
    return (bytes(row[0]) if row else None), info.get("tile_format", "")


def is_gzipped(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes) -> bytes:
    return gzip.decompress(data) if is_gzipped(data) else data


def read_range(path: Path, start: int, end: int):
    """The bytes start..end (inclusive) of the file, in chunks, for a streaming response."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """One byte range of a Range header as (start, end) inclusive; None to send the whole file
    (no header, a malformed one or several ranges: RFC 9110 lets a server ignore them);
    "unsatisfiable" when the range lies beyond the file."""
    header = header.strip()
    if not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header[len("bytes=") :].strip().partition("-")
    if not dash or not (first or last):
        return None
    if not _DIGITS.fullmatch(first + last or "x"):  # ASCII digits only ("²" is a digit too)
        return None
    if len(first) > 19 or len(last) > 19:  # beyond 64 bits: no file is that large
        return "unsatisfiable" if first else None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)
