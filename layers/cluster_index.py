"""Clusters from an in-process index of a project's public points, for the unfiltered map.

Over 400 lines: one idea on the map's hottest path, kept whole: the index's layout, the walk
that answers a viewport from it, and when a worker may use or rebuild it. Its parts (Z-order
codes, run tables, the accumulator) only make sense read together, and the module is
benchmarked and tested against the SQL path as one unit.

Why: the SQL path (layers.selectors) is exact and needs nothing in memory, but most of a
viewport's time there is PostgreSQL planning a query whose shape changes with the viewport.
The map's first and most asked view is unfiltered, so each worker keeps that view's points
in memory, tagged with the project's data version, and answers it without a query.

The points are sorted along a Z-order (Morton) curve of the finest cells: every quadtree
cell is then one contiguous run of the arrays, so a cell's count, centroid sums and theme
counts are two binary searches and prefix sums, and its extent comes from per-level tables
of cell bounds. A viewport is covered by its cluster cells; those cut by the viewport's edge
are split into their children until few points remain, which are then tested one by one.
The result is the SQL path's, cluster for cluster (tests compare them).

An index is used only when its data version is the one the request reads, so it never
answers with older data than the database would; after a change the SQL path answers
until the index is rebuilt (in a background thread, or inline: CLUSTER_INDEX_MODE).
"""

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, connections, transaction

from contributions.filters import ContributionFilters
from contributions.models import PUBLIC_GEOM, Kind
from core.db import read_alias, reading_from
from layers import grid
from layers.cache import data_version
from layers.public_sql import POINT_SQL, contribution_where

log = logging.getLogger(__name__)

KINDS = list(Kind.values)
DEPTH = 24  # finest level: the highest zoom's cluster level (22 + CLUSTER_PIXELS_LEVELS)
TABLE_LEVELS = (0, 4, 8, 12, 16, 20)  # levels with a table of cell bounds, for extents
EDGE_POINTS = 20_000  # points cut by the viewport's edge tested one by one, not split further
SPLIT_LEVELS = 2  # cells cut by the edge are split this many levels at a time
LEAF_POINTS = 32  # a cell cut by the edge with no more points is not split further
EDGE_MARGIN = 1e-3  # metres: a cell this close to the edge is tested point by point


def _spread(v):
    """Bits of 24-bit integers spaced out (b -> b0b0b...), for interleaving."""
    v = v.astype(np.uint64) & np.uint64(0xFFFFFF)
    for shift, mask in (
        (16, 0x0000FFFF0000FFFF),
        (8, 0x00FF00FF00FF00FF),
        (4, 0x0F0F0F0F0F0F0F0F),
        (2, 0x3333333333333333),
        (1, 0x5555555555555555),
    ):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def morton(cx, cy):
    return _spread(cx) | (_spread(cy) << np.uint64(1))


@dataclass
class _Table:
    """Non-empty cells of one level: first point of each (Z-order) and their bounds."""

    start: np.ndarray
    minx: np.ndarray
    miny: np.ndarray
    maxx: np.ndarray
    maxy: np.ndarray


class ClusterIndex:
    def __init__(self, version: str, ids, themes, xs, ys, slugs: list[str], items):
        """`items`: per point its kind code (into KINDS), title, and public longitude and
        latitude (NaN when the public location is a line or an area)."""
        self.version = version
        self.slugs = slugs
        size = grid.cell_size(DEPTH)
        cx = np.floor((xs + grid.ORIGIN) / size).astype(np.int64)
        cy = np.floor((grid.ORIGIN - ys) / size).astype(np.int64)
        codes = morton(cx, cy)
        order = np.argsort(codes, kind="stable")
        self.codes = codes[order]
        self.x, self.y = xs[order], ys[order]
        self.ids = ids[order]
        self.theme = theme = themes[order]
        # Prefix sums of the offsets from the first point: running totals of raw mercator
        # metres (millions times millions) would leave centroids only millimetre-exact.
        self.origin = (float(xs[0]), float(ys[0])) if len(xs) else (0.0, 0.0)
        self.cumx = np.concatenate(([0.0], np.cumsum(self.x - self.origin[0])))
        self.cumy = np.concatenate(([0.0], np.cumsum(self.y - self.origin[1])))
        counts = np.zeros((len(order) + 1, max(len(slugs), 1)), dtype=np.int32)
        if len(order):
            np.cumsum(np.eye(len(slugs), dtype=np.int32)[theme], axis=0, out=counts[1:])
        self.theme_counts = counts
        self.tables = {level: self._table(level) for level in TABLE_LEVELS}
        kinds, titles, lons, lats = items
        self.kind = kinds[order]
        self.lon, self.lat = lons[order], lats[order]
        # Titles as one UTF-8 buffer and where each ends: no Python object per point.
        encoded = [titles[i].encode() for i in order.tolist()]
        self.title_ends = np.cumsum([len(t) for t in encoded], dtype=np.int64)
        self.titles = b"".join(encoded)

    def item(self, point: int) -> dict | None:
        """What the map shows of a single point (as the SQL path's item), or None when its
        public location is not a point (then the database gives its geometry)."""
        if np.isnan(self.lon[point]):
            return None
        start = int(self.title_ends[point - 1]) if point else 0
        lon, lat = float(self.lon[point]), float(self.lat[point])
        return {
            "id": self.ids[point].decode(),
            "kind": KINDS[self.kind[point]],
            "theme": self.slugs[self.theme[point]],
            "title": self.titles[start : int(self.title_ends[point])].decode(),
            # As ST_AsGeoJSON(..., 6) writes it: rounded to 6 decimals.
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        }

    def __len__(self):
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        arrays = [
            self.codes,
            self.x,
            self.y,
            self.ids,
            self.theme,
            self.cumx,
            self.cumy,
            self.theme_counts,
        ]
        arrays += [a for t in self.tables.values() for a in vars(t).values()]
        arrays += [self.kind, self.lon, self.lat, self.title_ends]
        return sum(a.nbytes for a in arrays) + len(self.titles)

    def _table(self, level):
        shift = np.uint64(2 * (DEPTH - level))
        cells = self.codes >> shift
        if len(cells) == 0:
            empty = np.zeros(0)
            return _Table(np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
        start = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
        return _Table(
            start,
            np.minimum.reduceat(self.x, start),
            np.minimum.reduceat(self.y, start),
            np.maximum.reduceat(self.x, start),
            np.maximum.reduceat(self.y, start),
        )

    def _extents(self, level, starts, ends):
        """Bounds (minx, miny, maxx, maxy) of the points in each run [start, end), all
        non-empty, read from the finest table at or below `level`'s cells."""
        table_level = next((t for t in TABLE_LEVELS if t >= level), None)
        if table_level is None:  # cells finer than any table: their points themselves
            source = (self.x, self.y, self.x, self.y)
            first, last = starts, ends
        else:
            table = self.tables[table_level]
            source = (table.minx, table.miny, table.maxx, table.maxy)
            first = np.searchsorted(table.start, starts)
            last = np.searchsorted(table.start, ends)
        picked, offsets = _gather(first, last)
        return [
            reduce.reduceat(values[picked], offsets)
            for values, reduce in zip(
                source, (np.minimum, np.minimum, np.maximum, np.maximum), strict=True
            )
        ]

    def clusters(self, bounds, zoom: int):
        """The clusters of the viewport (mercator `bounds`, already capped), as rows of
        (kx, ky, count, x, y, minx, miny, maxx, maxy, themes, any point index)."""
        x0, y0, x1, y1 = bounds
        level = zoom + grid.CLUSTER_PIXELS_LEVELS
        size = grid.cell_size(level)
        kx0, kx1 = int((x0 + grid.ORIGIN) // size), int((x1 + grid.ORIGIN) // size)
        ky0, ky1 = int((grid.ORIGIN - y1) // size), int((grid.ORIGIN - y0) // size)
        width = kx1 - kx0 + 1
        k = width * (ky1 - ky0 + 1)
        cid = np.arange(k)
        cx, cy = kx0 + cid % width, ky0 + cid // width

        acc = _Accumulator(k, len(self.slugs))
        # Cells in Z-order, and children after their parent in Z-order too (a child's code
        # is its parent's followed by two bits a level): the binary searches below then get
        # sorted keys, which numpy searches far faster.
        code = morton(cx, cy)
        order = np.argsort(code)
        cid, cx, cy, code = cid[order], cx[order], cy[order], code[order]
        while len(cid):
            shift = np.uint64(2 * (DEPTH - level))
            first_code = code << shift
            starts = np.searchsorted(self.codes, first_code)
            ends = np.searchsorted(self.codes, first_code + (np.uint64(1) << shift))
            size = grid.cell_size(level)
            west, east = cx * size - grid.ORIGIN, (cx + 1) * size - grid.ORIGIN
            south, north = grid.ORIGIN - (cy + 1) * size, grid.ORIGIN - cy * size
            keep = (ends > starts) & (east >= x0) & (west <= x1) & (north >= y0) & (south <= y1)
            cid, cx, cy, code = cid[keep], cx[keep], cy[keep], code[keep]
            starts, ends = starts[keep], ends[keep]
            west, east, south, north = west[keep], east[keep], south[keep], north[keep]
            inside = (
                (west >= x0 + EDGE_MARGIN)
                & (east <= x1 - EDGE_MARGIN)
                & (south >= y0 + EDGE_MARGIN)
                & (north <= y1 - EDGE_MARGIN)
            )
            if inside.any():
                self._add_runs(acc, level, cid[inside], starts[inside], ends[inside])
            edge = ~inside
            cid, cx, cy, code = cid[edge], cx[edge], cy[edge], code[edge]
            starts, ends = starts[edge], ends[edge]
            if len(cid) == 0:
                break
            if level == DEPTH or int((ends - starts).sum()) <= EDGE_POINTS:
                self._add_points(acc, bounds, cid, starts, ends)
                break
            # Cells cut by the edge: the small ones are tested point by point; the others are
            # split into their four children and looked at again, one level finer.
            small = ends - starts <= LEAF_POINTS
            if small.any():
                self._add_points(acc, bounds, cid[small], starts[small], ends[small])
                big = ~small
                cid, cx, cy, code = cid[big], cx[big], cy[big], code[big]
            step = min(SPLIT_LEVELS, DEPTH - level)
            dx, dy, dcode = _DESCENDANTS[step]
            n = len(dcode)
            cid = np.repeat(cid, n)
            cx = np.repeat(cx << step, n) + np.tile(dx, len(cx))
            cy = np.repeat(cy << step, n) + np.tile(dy, len(cy))
            code = np.repeat(code << np.uint64(2 * step), n) + np.tile(dcode, len(code))
            level += step
        return acc.rows(kx0, ky0, width)

    def _add_runs(self, acc, level, cid, starts, ends):
        counts = ends - starts
        sx = self.cumx[ends] - self.cumx[starts] + counts * self.origin[0]
        sy = self.cumy[ends] - self.cumy[starts] + counts * self.origin[1]
        themes = self.theme_counts[ends] - self.theme_counts[starts]
        acc.add(cid, counts, sx, sy, themes, *self._extents(level, starts, ends), starts)

    def _add_points(self, acc, bounds, cid, starts, ends):
        x0, y0, x1, y1 = bounds
        # The cells come in Z-order (clusters() keeps them so), where a cluster's cells are
        # one stretch: its points come out side by side, and are summed here per stretch.
        picked, _ = _gather(starts, ends)
        owner = np.repeat(cid, ends - starts)
        x, y = self.x[picked], self.y[picked]
        keep = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        if not keep.any():
            return
        picked, owner, x, y = picked[keep], owner[keep], x[keep], y[keep]
        first = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        themes = self.theme_counts[picked + 1] - self.theme_counts[picked]
        acc.add(
            owner[first],
            np.diff(np.append(first, len(owner))),
            np.add.reduceat(x, first),
            np.add.reduceat(y, first),
            np.add.reduceat(themes, first, axis=0),
            np.minimum.reduceat(x, first),
            np.minimum.reduceat(y, first),
            np.maximum.reduceat(x, first),
            np.maximum.reduceat(y, first),
            picked[first],
        )


def _descendants(step):
    """A cell's descendants `step` levels down: column and row offsets, Z-order codes."""
    side = 1 << step
    dx, dy = np.meshgrid(np.arange(side), np.arange(side))
    dx, dy = dx.ravel(), dy.ravel()
    return dx, dy, morton(dx, dy)


_DESCENDANTS = {step: _descendants(step) for step in range(1, SPLIT_LEVELS + 1)}


class _Accumulator:
    """Pieces of clusters (runs of points, single points) gathered level by level, summed
    per cluster once at the end: a few array operations, however many levels were visited."""

    def __init__(self, k, themes):
        self.k = k
        self.themes = max(themes, 1)
        self.pieces = []

    def add(self, cid, count, sx, sy, themes, minx, miny, maxx, maxy, point):
        self.pieces.append((cid, count, sx, sy, themes, minx, miny, maxx, maxy, point))

    def rows(self, kx0, ky0, width):
        """The non-empty clusters as arrays, in the SQL path's order (row, then column)."""
        if not self.pieces:
            return _found(np.zeros(0, dtype=np.int64), kx0, ky0, width)
        cid, count, sx, sy, themes, minx, miny, maxx, maxy, point = (
            np.concatenate(parts) for parts in zip(*self.pieces, strict=True)
        )
        k = self.k
        total = np.bincount(cid, weights=count, minlength=k).astype(np.int64)
        found = np.flatnonzero(total)  # cluster ids grow with ky, then kx
        # Bounds per cluster: sorted by cluster, each one's pieces are one segment.
        order = np.argsort(cid, kind="stable")
        segments = np.searchsorted(cid[order], found)
        n = total[found]
        return _found(
            found,
            kx0,
            ky0,
            width,
            count=n,
            x=np.bincount(cid, weights=sx, minlength=k)[found] / n,
            y=np.bincount(cid, weights=sy, minlength=k)[found] / n,
            minx=np.minimum.reduceat(minx[order], segments),
            miny=np.minimum.reduceat(miny[order], segments),
            maxx=np.maximum.reduceat(maxx[order], segments),
            maxy=np.maximum.reduceat(maxy[order], segments),
            themes=np.stack(
                [
                    np.bincount(cid, weights=themes[:, t], minlength=k)[found]
                    for t in range(themes.shape[1])
                ],
                axis=1,
            ).astype(np.int64),
            point=np.maximum.reduceat(point[order], segments),
        )


def _found(found, kx0, ky0, width, **arrays):
    empty = np.zeros(0)
    values = {
        name: arrays.get(name, empty)
        for name in ("count", "x", "y", "minx", "miny", "maxx", "maxy", "point")
    }
    values["themes"] = arrays.get("themes", np.zeros((0, 1), dtype=np.int64))
    return Found(kx=kx0 + found % width, ky=ky0 + found // width, **values)


@dataclass
class Found:
    kx: np.ndarray
    ky: np.ndarray
    count: np.ndarray
    x: np.ndarray
    y: np.ndarray
    minx: np.ndarray
    miny: np.ndarray
    maxx: np.ndarray
    maxy: np.ndarray
    themes: np.ndarray  # one row per cluster, one column per theme (ClusterIndex.slugs)
    point: np.ndarray  # one of the cluster's points (its only one when count is 1)


def _gather(starts, ends):
    """The indices of the runs [start, end) laid end to end, and where each run begins."""
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
    picked = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
    return picked, offsets


# --- Which index a request may use -------------------------------------------------------

_indexes: "OrderedDict[int, ClusterIndex]" = OrderedDict()
_building: set[int] = set()
# While contributions keep changing, a worker rebuilds at most a tenth of its time: after a
# build of d seconds, the next waits 9 d (the SQL path answers meanwhile).
_rest_until: dict[int, float] = {}
REST_FACTOR = 9
_threads: "set[threading.Thread]" = set()
_lock = threading.Lock()


def mode() -> str:
    return getattr(settings, "CLUSTER_INDEX_MODE", "background")


def current(project, version: str) -> ClusterIndex | None:
    """The project's index when it holds exactly `version`'s data, else None (and, unless
    the index is off, a rebuild is started: inline, or in the background)."""
    how = mode()
    if how == "off":
        return None
    with _lock:
        index = _indexes.get(project.pk)
        if index is not None and index.version == version:
            _indexes.move_to_end(project.pk)
            return index
        if how != "inline" and (
            project.pk in _building or time.monotonic() < _rest_until.get(project.pk, 0)
        ):
            return None
        _building.add(project.pk)
    if how == "inline":
        try:
            return _store(project.pk, build(project, version))
        finally:
            with _lock:
                _building.discard(project.pk)
    thread = threading.Thread(
        target=_build_in_background, args=(project, read_alias()), daemon=True
    )
    with _lock:
        _threads.add(thread)
    thread.start()
    return None


def building_threads() -> list[threading.Thread]:
    """The background builds still running (tests wait for them)."""
    with _lock:
        return [t for t in _threads if t.is_alive()]


def forget() -> None:
    with _lock:
        _indexes.clear()
        _rest_until.clear()


def _store(pk, index):
    with _lock:
        _indexes[pk] = index
        _indexes.move_to_end(pk)
        while len(_indexes) > getattr(settings, "CLUSTER_INDEX_PROJECTS", 4):
            _indexes.popitem(last=False)
    return index


def _build_in_background(project, alias):
    started = time.perf_counter()
    try:
        with reading_from(alias), transaction.atomic(using=alias):
            # One snapshot for the version and the points, so they agree.
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            index = build(project, data_version(project))
        _store(project.pk, index)
        log.info(
            "cluster index of project %s: %d points, %.1f MB, built in %.2f s",
            project.pk,
            len(index),
            index.nbytes / 1e6,
            time.perf_counter() - started,
        )
    except Exception:  # the SQL path keeps answering; try again next request
        log.exception("cluster index of project %s not built", project.pk)
    finally:
        with _lock:
            _building.discard(project.pk)
            _threads.discard(threading.current_thread())
            _rest_until[project.pk] = time.monotonic() + REST_FACTOR * (
                time.perf_counter() - started
            )
        connections.close_all()


def build(project, version: str) -> ClusterIndex:
    """Reads the project's public points where this request reads (the SQL path's rows)."""
    t = "contributions_contribution"
    is_point = f"GeometryType({t}.{PUBLIC_GEOM}) = 'POINT'"

    where_sql, where_params = contribution_where(project, ContributionFilters())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, slug FROM contributions_theme WHERE project_id = %s ORDER BY id",
            [project.pk],
        )
        themes = cursor.fetchall()
        # Arrays, not rows: a million points cross as four values instead of four million.
        cursor.execute(
            f"""
            SELECT coalesce(array_agg({t}.id::text), '{{}}'),
                   coalesce(array_agg({t}.theme_id), '{{}}'),
                   coalesce(array_agg(ST_X(m.p)), '{{}}'), coalesce(array_agg(ST_Y(m.p)), '{{}}'),
                   coalesce(array_agg({t}.kind), '{{}}'), coalesce(array_agg({t}.title), '{{}}'),
                   coalesce(array_agg(m.lon), '{{}}'), coalesce(array_agg(m.lat), '{{}}')
            FROM {t} CROSS JOIN LATERAL (
                SELECT {POINT_SQL} AS p,
                       CASE WHEN {is_point} THEN ST_X({t}.{PUBLIC_GEOM}) END AS lon,
                       CASE WHEN {is_point} THEN ST_Y({t}.{PUBLIC_GEOM}) END AS lat
            ) m
            WHERE {where_sql}
            """,  # noqa: S608 - fixed fragments and the list's own compiled WHERE clause
            where_params,
        )
        ids, theme_ids, xs, ys, kinds, titles, lons, lats = cursor.fetchone()
    position = {theme_id: i for i, (theme_id, _) in enumerate(themes)}
    code = {kind: i for i, kind in enumerate(KINDS)}
    return ClusterIndex(
        version,
        np.array(ids, dtype="S36"),
        np.array([position[t] for t in theme_ids], dtype=np.int16),
        np.array(xs, dtype=np.float64),
        np.array(ys, dtype=np.float64),
        [slug for _, slug in themes],
        items=(
            np.array([code[k] for k in kinds], dtype=np.int8),
            titles,
            np.array(lons, dtype=np.float64),  # None (not a point) becomes NaN
            np.array(lats, dtype=np.float64),
        ),
    )
