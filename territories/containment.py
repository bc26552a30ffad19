"""In-process containment index for the hot path: one check per contribution write.

The subdivided pieces of a territory are loaded once into two STRtrees (lon/lat for the
exact test, metres for the tolerance), so a check costs microseconds instead of a database
round trip. The database keeps the final word: rows outside a perimeter are refused there.
Entries expire after CACHE_SECONDS; boundary updates through the services make new
territory rows (new generations), which are new cache keys anyway.
"""

import threading
import time

import shapely
from django.db import connection
from pyproj import Transformer

from core.postgis import METRIC_SRID, STORAGE_SRID

CACHE_SECONDS = 60.0

_to_metric = Transformer.from_crs(STORAGE_SRID, METRIC_SRID, always_xy=True)
_cache: dict[int, tuple[float, "PiecesIndex"]] = {}
_lock = threading.Lock()


class PiecesIndex:
    def __init__(self, pieces):
        # A prepared collection of the pieces: GEOS indexes their edges once.
        self.pieces = shapely.geometrycollections(pieces)
        shapely.prepare(self.pieces)
        self.metric_tree = shapely.STRtree(
            [shapely.transform(p, _project, interleaved=False) for p in pieces]
        )

    def covers_point(self, lon, lat, tolerance_m=0.0):
        if shapely.intersects_xy(self.pieces, lon, lat):
            return True
        if tolerance_m <= 0:
            return False
        x, y = _to_metric.transform(lon, lat)
        near = self.metric_tree.query(
            shapely.Point(x, y), predicate="dwithin", distance=tolerance_m
        )
        return bool(len(near))


def _project(x, y):
    return _to_metric.transform(x, y)


def index_for(territory_id: int) -> PiecesIndex:
    now = time.monotonic()
    cached = _cache.get(territory_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsBinary(geom) FROM territories_territorypiece WHERE territory_id = %s",
            [territory_id],
        )
        pieces = [shapely.from_wkb(bytes(row[0])) for row in cursor.fetchall()]
    index = PiecesIndex(pieces)
    with _lock:
        _cache[territory_id] = (now, index)
    return index


def forget(territory_id: int | None = None):
    """Drops cached indexes (all of them, or one territory's)."""
    with _lock:
        if territory_id is None:
            _cache.clear()
        else:
            _cache.pop(territory_id, None)
