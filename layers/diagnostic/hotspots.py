"""Hotspots: where contributions are dense, found by DBSCAN over a per-cell aggregate (`find`,
the bundle's hotspots.geojson). Statistical hot and cold spots (Getis-Ord Gi* on a grid) are
layers.diagnostic.getis_ord.

DBSCAN over a million points is slow exactly where it matters: in a town centre every
point has thousands of neighbours within eps. So the points are first counted per square
cell of eps/2 metres in EPSG:3035 (one GROUP BY in PostgreSQL), and DBSCAN's rules are
applied to the cells, each weighted by its count:

- a cell's neighbourhood is the cells whose centres lie within eps of its centre (a disc of
  13 cells), and its neighbourhood count the sum of their contributions;
- a cell is *core* when that count reaches `minpoints` (DBSCAN's core point, per cell);
- core cells are joined into clusters by PostGIS `ST_ClusterDBSCAN(eps, minpoints => 1)` on
  their centres: two core cells within eps of each other are density-connected;
- a non-core cell within eps of a core cell joins that cell's cluster (DBSCAN's border
  points); the rest is noise; a cluster left with fewer than `minpoints` contributions
  (its border taken by a busier neighbour) is not reported.

The work is proportional to the number of occupied cells, not of points, and the answer
differs from point-level DBSCAN only by the cell's size (eps/2) at the clusters' edges.
Each hotspot is the concave hull of its cells' centres, buffered by one cell, so it covers
every contribution it counts.

Only contributions whose point is a place are clustered (layers.diagnostic.placed): those
placed by their commune alone would all sit on one spot per commune and make a hotspot of it.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.i18n import localized
from layers.diagnostic import areas
from layers.diagnostic.placed import left_out, placed
from layers.diagnostic.queries import (
    Scope,
    dbscan,
    grid_counts,
    hulls,
)

DEFAULT_EPS_M = 250.0
DEFAULT_MINPOINTS = 10
# Without an explicit minpoints, a hotspot must be this many times denser than the
# contributions spread evenly over the perimeter.
DENSITY_FACTOR = 5


def default_minpoints(count: int, area_m2: float | None, eps: float) -> int:
    """DEFAULT_MINPOINTS, or DENSITY_FACTOR times what a disc of radius eps would hold if the
    contributions were spread evenly over the perimeter, whichever is larger.

    A fixed 10 within 250 m is a fine threshold for a few hundred contributions, but at a
    million the average disc holds dozens and the whole territory would be one hotspot.
    """
    if not area_m2:
        return DEFAULT_MINPOINTS
    even = count * math.pi * eps * eps / area_m2
    return max(DEFAULT_MINPOINTS, math.ceil(DENSITY_FACTOR * even))


@dataclass
class Hotspot:
    rank: int
    count: int
    cells: int
    themes: dict[str, int]  # slug -> count
    geometry: dict  # GeoJSON, WGS 84
    area_km2: float
    centroid: tuple[float, float]  # EPSG:3035

    @property
    def dominant_theme(self) -> str | None:
        if not self.themes:
            return None
        return max(self.themes.items(), key=lambda item: (item[1], item[0]))[0]


@dataclass
class HotspotResult:
    eps: float
    minpoints: int
    cell: float
    hotspots: list[Hotspot] = field(default_factory=list)
    left_out: int = 0  # contributions in scope placed by their commune alone, not clustered

    @property
    def clustered(self) -> int:
        return sum(h.count for h in self.hotspots)


def _disc_offsets(radius_cells: float):
    r = int(np.floor(radius_cells))
    return [
        (di, dj)
        for di in range(-r, r + 1)
        for dj in range(-r, r + 1)
        if di * di + dj * dj <= radius_cells * radius_cells + 1e-9
    ]


def find(scope: Scope, *, eps: float, minpoints: int, theme_slugs: dict[int, str]) -> HotspotResult:
    cell = eps / 2
    counts = grid_counts(placed(scope), cell)
    result = HotspotResult(eps=eps, minpoints=minpoints, cell=cell, left_out=left_out(scope))
    if not len(counts.n):
        return result
    # One row per occupied cell, keyed i * 2^32 + j, sorted for searchsorted lookups.
    keys_all = (counts.i << 32) + (counts.j & 0xFFFFFFFF)
    keys, inverse = np.unique(keys_all, return_inverse=True)
    n = np.bincount(inverse, weights=counts.n).astype(np.int64)
    ci = np.zeros(len(keys), dtype=np.int64)
    cj = np.zeros(len(keys), dtype=np.int64)
    ci[inverse], cj[inverse] = counts.i, counts.j
    theme_ids = sorted(theme_slugs)
    per_theme = np.zeros((len(keys), len(theme_ids)), dtype=np.int64)
    columns = np.searchsorted(theme_ids, counts.theme_id)
    np.add.at(per_theme, (inverse, columns), counts.n)

    def lookup(di, dj):
        """Index of the cell at offset (di, dj) of each cell, or -1."""
        wanted = ((ci + di) << 32) + ((cj + dj) & 0xFFFFFFFF)
        position = np.searchsorted(keys, wanted)
        position[position == len(keys)] = 0
        return np.where(keys[position] == wanted, position, -1)

    offsets = _disc_offsets(eps / cell)
    neighbours = [lookup(di, dj) for di, dj in offsets]
    around = np.zeros(len(keys), dtype=np.int64)
    for index in neighbours:
        around += np.where(index >= 0, n[np.maximum(index, 0)], 0)
    core = around >= minpoints

    label = np.full(len(keys), -1, dtype=np.int64)
    centre_x, centre_y = (ci + 0.5) * cell, (cj + 0.5) * cell
    core_index = np.flatnonzero(core)
    # A small tolerance: cell centres exactly eps apart are neighbours, as in the disc above.
    label[core_index] = dbscan(
        centre_x[core_index], centre_y[core_index], eps=eps * (1 + 1e-9), minpoints=1
    )
    # Border cells take the cluster of their most crowded core neighbour.
    best = np.full(len(keys), -1, dtype=np.int64)
    for index in neighbours:
        candidate = np.where((index >= 0) & core[np.maximum(index, 0)], index, -1)
        better = (candidate >= 0) & ((best < 0) | (around[np.maximum(candidate, 0)] > around[best]))
        best = np.where(better, candidate, best)
    border = ~core & (best >= 0)
    label[border] = label[best[border]]

    member = label >= 0
    if not member.any():
        return result
    shapes = hulls(centre_x[member], centre_y[member], label[member], buffer_m=cell)
    found = []
    for cluster in np.unique(label[member]):
        inside = label == cluster
        theme_counts = per_theme[inside].sum(axis=0)
        count = int(n[inside].sum())
        weights = n[inside]
        centroid = (
            float((centre_x[inside] * weights).sum() / count),
            float((centre_y[inside] * weights).sum() / count),
        )
        geometry, area = shapes[int(cluster)]
        found.append(
            Hotspot(
                rank=0,
                count=count,
                cells=int(inside.sum()),
                themes={
                    theme_slugs[tid]: int(c)
                    for tid, c in zip(theme_ids, theme_counts, strict=True)
                    if c
                },
                geometry=geometry,
                area_km2=float(area),
                centroid=centroid,
            )
        )
    # Border cells claimed by a larger neighbour can leave a cluster under minpoints: not a
    # hotspot by the definition given to the user.
    found = [h for h in found if h.count >= minpoints]
    found.sort(key=lambda h: (-h.count, h.centroid))
    for rank, hotspot in enumerate(found, start=1):
        hotspot.rank = rank
    result.hotspots = found
    return result


def write_geojson(found, themes, path):
    """hotspots.geojson: one feature per hotspot, ranked, with its theme counts."""
    names = {t["slug"]: t["name"] for t in themes}
    features = []
    for h in found.hotspots:
        dominant = h.dominant_theme
        features.append(
            {
                "type": "Feature",
                "id": h.rank,
                "geometry": h.geometry,
                "properties": {
                    "rank": h.rank,
                    "count": h.count,
                    "dominant_theme": dominant,
                    "dominant_theme_name": localized(names.get(dominant, {})) or dominant,
                    "dominant_share": round(h.themes.get(dominant, 0) / h.count, 4),
                    **{areas.theme_column(slug): h.themes.get(slug, 0) for slug in names},
                    "cells": h.cells,
                    "area_km2": round(h.area_km2, 4),
                    "eps_m": found.eps,
                    "minpoints": found.minpoints,
                },
            }
        )
    collection = {"type": "FeatureCollection", "name": "hotspots", "features": features}
    Path(path).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
