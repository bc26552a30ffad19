"""Statistical hot and cold spots: Getis-Ord Gi* (PySAL) on a grid of squares over the
perimeter, with the false discovery rate held by Benjamini-Hochberg (`gi_star`); beside the
density hotspots of layers.diagnostic.hotspots. docs/diagnostic.md says what a hot spot means
and does not."""

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from core.postgis import METRIC_SRID
from layers.diagnostic.placed import left_out, placed
from layers.diagnostic.queries import GridCounts, Scope, grid_counts, perimeter_metric

GI_CELL_M = 1000.0
GI_PERMUTATIONS = (
    19_999  # fine enough that ~10 cells at the smallest p pass the FDR over ~4,500 cells
)
GI_ALPHA = 0.05
GI_SEED = 20261126
HOT, COLD = "hot", "cold"
# Sentences for a report, in the active language (GiStar.summary gives them as text).
GI_METHOD = _(
    "Getis-Ord Gi* on squares of %(cell)s m (%(permutations)s random permutations, false "
    "discovery rate %(percent)s%%)."
)
GI_MEANING = _(
    "A hot spot is a square where, with its neighbours, residents placed more contributions "
    "than chance would put there; a cold spot, fewer. It does not take population into "
    "account, nor how serious what was said is; contributions placed only by their commune "
    "are left out."
)
# The 8 cells around a cell (queen contiguity); with the cell itself (Gi*'s "star"), a window
# of 3 x 3 cells.
_QUEEN = [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0)]


@dataclass
class GiStar:
    """Getis-Ord Gi* over the square cells of `cell` metres (EPSG:3035) that touch the
    perimeter, as `gi_star` gives it. One entry per cell in each array.

    What a hot spot means, in plain words: a cell where the cell and its 8 neighbours together
    hold more contributions than chance would put there if the territory's cell counts were
    shuffled at random over its cells; it stays hot after allowing for the thousands of cells
    tested at once (false discovery rate `alpha`: of the cells shown hot or cold, about that
    share at most are expected to be so by chance). A cold spot is the reverse: markedly fewer
    contributions around the cell than chance would leave there.

    What it does not mean: it does not weigh population (a town will be hot because people
    live there: compare the per-inhabitant rates, `layers.diagnostic.rates`), nor how serious
    what was said is, nor that nobody cares where it is not hot. Cold spots over
    mountains and forests, where few people live, are expected once contributions are many;
    with few contributions nothing can be significantly cold.
    Contributions placed only by their commune are left out (`left_out`), as for the density
    map: they would pile up on one spot per commune.
    """

    cell: float
    permutations: int
    alpha: float
    seed: int
    i: np.ndarray  # column index: floor(x / cell), EPSG:3035
    j: np.ndarray  # row index: floor(y / cell)
    count: np.ndarray  # contributions in the cell
    window: np.ndarray  # contributions in the cell and its 8 neighbours
    g: np.ndarray  # Gi* (esda.G_Local, star=True, binary weights)
    z: np.ndarray  # its z-score under normality (esda's Zs), for reading only
    p: np.ndarray  # two-sided permutation p-value
    kind: np.ndarray  # HOT, COLD or "" (not significant after the FDR)
    threshold: float  # the Benjamini-Hochberg cut-off on p (0 when nothing is significant)
    left_out: int = 0  # contributions in scope placed by their commune alone
    crs: str = f"EPSG:{METRIC_SRID}"

    @property
    def cells(self) -> int:
        return len(self.count)

    @property
    def total(self) -> int:
        return int(self.count.sum())

    @property
    def hot(self) -> np.ndarray:
        return self.kind == HOT

    @property
    def cold(self) -> np.ndarray:
        return self.kind == COLD

    def summary(self) -> dict:
        """The figures a report needs, JSON-ready."""
        return {
            "method": str(GI_METHOD)
            % {
                "cell": f"{self.cell:g}",
                "permutations": f"{self.permutations:,}",
                "percent": f"{100 * self.alpha:g}",
            },
            "meaning": str(GI_MEANING),
            "crs": self.crs,
            "cell_m": self.cell,
            "cells": self.cells,
            "permutations": self.permutations,
            "seed": self.seed,
            "alpha": self.alpha,
            "p_threshold": self.threshold,
            "contributions": self.total,
            "left_out_commune_precision": self.left_out,
            "hot_cells": int(self.hot.sum()),
            "cold_cells": int(self.cold.sum()),
            "contributions_in_hot_cells": int(self.count[self.hot].sum()),
        }

    def geojson(self, *, only_significant: bool = True) -> dict:
        """The cells as a GeoJSON FeatureCollection in WGS 84 (RFC 7946): one square per cell
        (the significant ones by default), with `kind` (hot, cold or empty), `count`,
        `window`, `z` and `p`."""
        from pyproj import Transformer

        to_wgs84 = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        chosen = np.flatnonzero(self.kind != "") if only_significant else range(self.cells)
        features = []
        for k in chosen:
            x0, y0 = float(self.i[k] * self.cell), float(self.j[k] * self.cell)
            xs = [x0, x0 + self.cell, x0 + self.cell, x0, x0]
            ys = [y0, y0, y0 + self.cell, y0 + self.cell, y0]
            lon, lat = to_wgs84.transform(xs, ys)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[round(a, 7), round(b, 7)] for a, b in zip(lon, lat, strict=True)]
                        ],
                    },
                    "properties": {
                        "kind": str(self.kind[k]),
                        "count": int(self.count[k]),
                        "window": int(self.window[k]),
                        "z": round(float(self.z[k]), 3),
                        "p": float(self.p[k]),
                    },
                }
            )
        return {"type": "FeatureCollection", "name": "gi_star", "features": features}


def benjamini_hochberg(p: np.ndarray, alpha: float) -> float:
    """The Benjamini-Hochberg (1995) cut-off: the largest p-value p_(k) with
    p_(k) <= k * alpha / n; every p at or below it is a discovery. 0 when there is none.
    (esda.fdr computes the same step, but returns alpha/n both when nothing and when
    everything is rejected, so it cannot say which happened.)"""
    n = len(p)
    if n == 0:
        return 0.0
    ordered = np.sort(p)
    below = ordered <= alpha * np.arange(1, n + 1) / n
    if not below.any():
        return 0.0
    return float(ordered[np.flatnonzero(below).max()])


def gi_star_grid(
    study_i,
    study_j,
    counts: GridCounts,
    *,
    permutations: int = GI_PERMUTATIONS,
    alpha: float = GI_ALPHA,
    seed: int = GI_SEED,
) -> GiStar:
    """Gi* over the study cells (indices `study_i`, `study_j`) and the occupied cells of
    `counts` (a cell with contributions is always studied, even just off the perimeter).

    - Weights: binary, queen contiguity (the 8 surrounding cells that are studied), plus the
      cell itself (Gi*'s star), built as a libpysal W; the statistic and its z-score are
      esda's `G_Local(y, w, transform="B", star=True)`.
    - Significance: conditional permutations, seeded (the cell keeps its count; its
      neighbours' counts are drawn without replacement from the other cells', `permutations`
      times). One-sided p-values count ties against significance:
      p_high = (1 + #{null >= observed}) / (permutations + 1), p_low likewise; the two-sided
      p is 2 min(p_high, p_low), at most 1. esda's own `p_sim` folds ties the other way, so
      on a grid where most cells are empty, every empty window would come out "significantly"
      low.
    - Multiple testing: Benjamini-Hochberg over all the cells at `alpha`; a significant cell
      is HOT when its window holds more than the permutations' mean, COLD when fewer.
    """
    import libpysal
    from esda.getisord import G_Local

    keys = np.unique(
        np.concatenate(
            [
                (np.asarray(study_i, dtype=np.int64) << 32)
                + (np.asarray(study_j, dtype=np.int64) & 0xFFFFFFFF),
                (counts.i << 32) + (counts.j & 0xFFFFFFFF),
            ]
        )
    )
    n_cells = len(keys)
    ci, cj = keys >> 32, (keys & 0xFFFFFFFF).astype(np.int64)
    cj = np.where(cj >= 2**31, cj - 2**32, cj)
    y = np.zeros(n_cells, dtype=np.float64)
    np.add.at(y, np.searchsorted(keys, (counts.i << 32) + (counts.j & 0xFFFFFFFF)), counts.n)

    def lookup(di, dj):
        wanted = ((ci + di) << 32) + ((cj + dj) & 0xFFFFFFFF)
        position = np.searchsorted(keys, wanted)
        position[position == n_cells] = 0
        return np.where(keys[position] == wanted, position, -1)

    around = np.stack([lookup(di, dj) for di, dj in _QUEEN], axis=1)  # (cells, 8), -1: none
    neighbours = {k: [int(x) for x in row if x >= 0] for k, row in enumerate(around)}
    window = y + np.where(around >= 0, y[np.maximum(around, 0)], 0).sum(axis=1)
    empty = np.zeros(n_cells)
    if y.sum() == 0 or n_cells < 3:
        return GiStar(
            counts.cell,
            permutations,
            alpha,
            seed,
            ci,
            cj,
            y.astype(np.int64),
            window.astype(np.int64),
            empty,
            empty.copy(),
            np.ones(n_cells),
            np.full(n_cells, "", dtype=object),
            0.0,
        )

    weights = libpysal.weights.W(neighbours, silence_warnings=True)
    local = G_Local(y, weights, transform="B", star=True, permutations=0)

    # Conditional permutations: one set of draws (without replacement, from the n - 1 other
    # cells) shared by every cell, shifted past the cell itself, as esda does.
    rng = np.random.default_rng(seed)
    draws = np.stack(
        [rng.choice(n_cells - 1, size=len(_QUEEN), replace=False) for _ in range(permutations)]
    )
    degree = (around >= 0).sum(axis=1)
    observed = window - y
    above = np.zeros(n_cells, dtype=np.int64)
    below = np.zeros(n_cells, dtype=np.int64)
    # What the permutations average to: d draws from the other cells' mean.
    expected = degree * (y.sum() - y) / (n_cells - 1)
    for k in range(n_cells):
        d = degree[k]
        if d == 0:
            above[k] = below[k] = permutations
            continue
        ids = draws[:, :d]
        null = y[ids + (ids >= k)].sum(axis=1)
        above[k] = int((null >= observed[k]).sum())
        below[k] = int((null <= observed[k]).sum())
    p_high = (above + 1) / (permutations + 1)
    p_low = (below + 1) / (permutations + 1)
    p = np.minimum(1.0, 2 * np.minimum(p_high, p_low))
    threshold = benjamini_hochberg(p, alpha)
    significant = (p <= threshold) & (threshold > 0)
    kind = np.full(n_cells, "", dtype=object)
    kind[significant & (observed > expected)] = HOT
    kind[significant & (observed < expected)] = COLD
    return GiStar(
        counts.cell,
        permutations,
        alpha,
        seed,
        ci,
        cj,
        y.astype(np.int64),
        window.astype(np.int64),
        np.asarray(local.Gs, dtype=float),
        np.asarray(local.Zs, dtype=float),
        p,
        kind,
        threshold,
    )


def study_cells(project, cell: float):
    """(i, j) of the cells of `cell` metres (EPSG:3035) that touch the perimeter, buffered by
    the project's tolerance (where contributions are accepted)."""
    from rasterio.features import geometry_mask
    from rasterio.transform import from_origin
    from shapely import wkb as shapely_wkb

    support_wkb, (x0, y0, x1, y1) = perimeter_metric(project, buffer_m=project.tolerance_m)
    i_min, i_max = math.floor(x0 / cell), math.floor(x1 / cell)
    j_min, j_max = math.floor(y0 / cell), math.floor(y1 / cell)
    cols, rows = i_max - i_min + 1, j_max - j_min + 1
    transform = from_origin(i_min * cell, (j_max + 1) * cell, cell, cell)
    inside = geometry_mask(
        [shapely_wkb.loads(support_wkb)],
        out_shape=(rows, cols),
        transform=transform,
        all_touched=True,
        invert=True,
    )
    row, col = np.nonzero(inside)
    return i_min + col, j_max - row


def gi_star(
    scope: Scope,
    *,
    cell: float = GI_CELL_M,
    permutations: int = GI_PERMUTATIONS,
    alpha: float = GI_ALPHA,
    seed: int = GI_SEED,
) -> GiStar:
    """Statistical hot and cold spots of the contributions in `scope`: Getis-Ord Gi* over the
    square cells of `cell` metres (EPSG:3035) touching the perimeter, empty ones included,
    with seeded permutations and a Benjamini-Hochberg false discovery rate (see `GiStar` for
    what a hot spot means and does not, and `gi_star_grid` for the method). PostgreSQL counts
    the contributions per cell (one GROUP BY); the statistic runs on the cells, never on the
    points, so its cost depends on the perimeter's size, not on the number of contributions.
    Only precisely placed contributions count (DENSITY_PRECISIONS): one placed by its commune
    alone never makes a hot spot."""
    counts = grid_counts(placed(scope), cell)
    study_i, study_j = study_cells(scope.project, cell)
    result = gi_star_grid(
        study_i, study_j, counts, permutations=permutations, alpha=alpha, seed=seed
    )
    result.left_out = left_out(scope)
    return result
