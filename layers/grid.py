"""The Web Mercator grid shared by clusters and tiles: quadtree cells, one size per level.

A cell of level L is a map tile of zoom L. A cluster at zoom Z is a cell of level Z + 2
(64 screen pixels), so clusters nest from one zoom to the next and stay put when panning.
"""

import math

import numpy as np

from contributions.models import PUBLIC_STATUSES, Kind

ORIGIN = 20037508.342789244  # half the Web Mercator world, metres
WORLD = 2 * ORIGIN
EARTH_RADIUS = 6378137.0
MAX_LATITUDE = 85.0511287798

# Levels kept as running counts by the database; coarser levels are summed from these.
STORED_LEVELS = (12, 16, 20)
CLUSTER_PIXELS_LEVELS = 2  # a cluster is 2 levels below its zoom: 256 px / 4 = 64 px
MAX_AGGREGATED_ZOOM = STORED_LEVELS[-1] - CLUSTER_PIXELS_LEVELS
# A cluster's extent is the bounding box of the cells of this level (the finest stored, about
# 38 m of Web Mercator) that hold its public points: a cell's is then its own bounds, and a
# coarser cell's the union of its non-empty children's, so removing a point shrinks extents
# from the counts alone, and no extent ever pins a point down more finely than such a cell.
EXTENT_LEVEL = STORED_LEVELS[-1]

# One running count per kind and public status, so filters on them are sums of columns.
COUNT_COLUMNS = {
    (kind, status): f"{kind}_{status}" for kind in Kind.values for status in PUBLIC_STATUSES
}


def cell_size(level: int) -> float:
    return WORLD / (1 << level)


def snapped_extent(minx, miny, maxx, maxy):
    """The bounds of points widened to the EXTENT_LEVEL cells holding them, for floats or numpy
    arrays; the same arithmetic as extent_sql, so the database and numpy agree to the bit."""
    size = cell_size(EXTENT_LEVEL)
    return (
        np.floor((minx + ORIGIN) / size) * size - ORIGIN,
        ORIGIN - (np.floor((ORIGIN - miny) / size) + 1) * size,
        (np.floor((maxx + ORIGIN) / size) + 1) * size - ORIGIN,
        ORIGIN - np.floor((ORIGIN - maxy) / size) * size,
    )


def extent_cell_sql(x: str, y: str) -> tuple[str, str]:
    """SQL for the column and row of the EXTENT_LEVEL cell of mercator `x`, `y`, as float8
    (the numbers are float8 literals: PostgreSQL then computes what numpy computes)."""
    size = repr(cell_size(EXTENT_LEVEL))
    return (
        f"floor(({x} + {ORIGIN!r}::float8) / {size}::float8)",
        f"floor(({ORIGIN!r}::float8 - {y}) / {size}::float8)",
    )


def extent_sql(west: str, south: str, east: str, north: str) -> tuple[str, str, str, str]:
    """SQL for the bounds (west, south, east, north) spanned by EXTENT_LEVEL cells: `west` and
    `east` are the westmost and eastmost columns, `south` and `north` the southmost and
    northmost rows (rows grow southwards), as extent_cell_sql gives them."""
    size, origin = f"{cell_size(EXTENT_LEVEL)!r}::float8", f"{ORIGIN!r}::float8"
    return (
        f"{west} * {size} - {origin}",
        f"{origin} - ({south} + 1) * {size}",
        f"({east} + 1) * {size} - {origin}",
        f"{origin} - {north} * {size}",
    )


def to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = math.radians(lon) * EARTH_RADIUS
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS
    return x, y


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)
    return lon, lat


def to_lonlat_arrays(x, y):
    """to_lonlat over numpy arrays."""
    lon = np.degrees(x / EARTH_RADIUS)
    lat = np.degrees(2 * np.arctan(np.exp(y / EARTH_RADIUS)) - math.pi / 2)
    return lon, lat


def inner_cells(level: int, x0: float, y0: float, x1: float, y1: float):
    """Index ranges (cx0, cx1, cy0, cy1) of the cells lying wholly inside a mercator box.

    Rows grow southwards (tile convention). Empty ranges have cx0 > cx1 or cy0 > cy1.
    """
    size = cell_size(level)
    cx0 = math.ceil((x0 + ORIGIN) / size)
    cx1 = math.floor((x1 + ORIGIN) / size) - 1
    cy0 = math.ceil((ORIGIN - y1) / size)
    cy1 = math.floor((ORIGIN - y0) / size) - 1
    return cx0, cx1, cy0, cy1


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Mercator bounds (x0, y0, x1, y1) of tile z/x/y."""
    size = cell_size(z)
    return (
        x * size - ORIGIN,
        ORIGIN - (y + 1) * size,
        (x + 1) * size - ORIGIN,
        ORIGIN - y * size,
    )
