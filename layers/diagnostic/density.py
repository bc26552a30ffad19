"""Kernel density of contributions as a GeoTIFF in EPSG:3035.

PostgreSQL counts the points per grid cell (queries.grid_counts); numpy smooths the counts
with a Gaussian kernel truncated at KERNEL_SIGMAS standard deviations and normalised so its
weights sum to 1, applied as two 1-D passes (the Gaussian is separable). Each point thus
spreads exactly one unit over the cells around it.

Units and normalisation: cell values are contributions per km², so
sum(values) x cell area (km²) = number of contributions counted. There is no edge loss: the
grid reaches past every point by more than the kernel's radius, and the cells marked nodata
(outside the perimeter buffered by more than that radius) cannot receive any weight. The
only difference is float32 rounding (relative error well under 1e-5).

Only contributions whose point is a place are counted (layers.diagnostic.placed): those
placed by their commune alone are left out, and `left_out` says how many.
"""

import math
from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio.features import geometry_mask
from rasterio.transform import from_origin
from shapely import wkb as shapely_wkb

from core.postgis import METRIC_SRID
from layers.diagnostic.placed import left_out, placed
from layers.diagnostic.queries import GridCounts, Scope, grid_counts, perimeter_metric

NODATA = -9999.0
KERNEL_SIGMAS = 3.0
MAX_CELLS = 25_000_000  # 100 MB of float32; a finer grid would not fit a laptop's memory


class GridTooLarge(Exception):
    """The grid asked for would be too large; the message says which cell size fits."""


@dataclass
class Density:
    values: np.ndarray  # float32, rows north to south, NODATA outside the support
    transform: object  # affine transform of the grid (EPSG:3035)
    cell: float
    bandwidth: float
    radius_cells: int
    points: int
    left_out: int = 0  # contributions in scope placed by their commune alone, not counted

    @property
    def cell_area_km2(self) -> float:
        return (self.cell / 1000) ** 2

    @property
    def mass(self) -> float:
        """Sum of valid cells x cell area: the number of points the raster holds."""
        valid = self.values[self.values != NODATA]
        return float(valid.astype(np.float64).sum() * self.cell_area_km2)

    @property
    def bounds(self):
        rows, cols = self.values.shape
        x0, y1 = self.transform.c, self.transform.f
        return x0, y1 - rows * self.cell, x0 + cols * self.cell, y1


def gaussian_kernel(bandwidth: float, cell: float) -> np.ndarray:
    """1-D Gaussian weights at cell spacing, truncated at KERNEL_SIGMAS sigma, sum 1."""
    radius = max(1, math.ceil(KERNEL_SIGMAS * bandwidth / cell))
    offsets = np.arange(-radius, radius + 1) * cell
    weights = np.exp(-0.5 * (offsets / bandwidth) ** 2)
    return weights / weights.sum()


def smooth(grid: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable convolution with zero padding: one pass along each axis, shifted slices.

    The grid must already be padded by the kernel's radius, so nothing falls off its edges.
    """
    radius = len(kernel) // 2
    out = grid.astype(np.float64)
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)])
        size = out.shape[axis]
        acc = np.zeros_like(out)
        for k, weight in enumerate(kernel):
            acc += weight * np.take(padded, np.arange(k, k + size), axis=axis)
        out = acc
    return out


def density_from_counts(
    counts: GridCounts, *, bandwidth: float, support_wkb: bytes, support_bounds
) -> Density:
    """The smoothed raster of `counts`, covering `support` (the perimeter, buffered)."""
    cell = counts.cell
    kernel = gaussian_kernel(bandwidth, cell)
    radius = len(kernel) // 2
    # Grid extent in cell indices: the support's bounds and every point, plus the radius.
    sx0, sy0, sx1, sy1 = support_bounds
    i_min = math.floor(sx0 / cell)
    i_max = math.floor(sx1 / cell)
    j_min = math.floor(sy0 / cell)
    j_max = math.floor(sy1 / cell)
    if len(counts.n):
        i_min, i_max = min(i_min, int(counts.i.min())), max(i_max, int(counts.i.max()))
        j_min, j_max = min(j_min, int(counts.j.min())), max(j_max, int(counts.j.max()))
    i_min, j_min = i_min - radius - 1, j_min - radius - 1
    i_max, j_max = i_max + radius + 1, j_max + radius + 1
    cols, rows = i_max - i_min + 1, j_max - j_min + 1
    if rows * cols > MAX_CELLS:
        fits = math.ceil(cell * math.sqrt(rows * cols / MAX_CELLS))
        raise GridTooLarge(
            f"A density grid of {cell:g} m cells over this perimeter would have "
            f"{rows * cols:,} cells; use --cell {fits} or more."
        )

    grid = np.zeros((rows, cols), dtype=np.float64)
    # Row 0 is the northernmost (GeoTIFF convention).
    np.add.at(grid, (j_max - counts.j, counts.i - i_min), counts.n)
    smoothed = smooth(grid, kernel) / ((cell / 1000) ** 2)

    transform = from_origin(i_min * cell, (j_max + 1) * cell, cell, cell)
    support = shapely_wkb.loads(support_wkb)
    outside = geometry_mask([support], out_shape=(rows, cols), transform=transform)
    # A cell with weight is never masked, even if the support misses it (a point outside the
    # buffered perimeter): the raster must keep every point's whole unit.
    outside &= smoothed == 0
    values = smoothed.astype(np.float32)
    values[outside] = NODATA
    return Density(values, transform, cell, bandwidth, radius, counts.total)


def compute(scope: Scope, *, cell: float, bandwidth: float) -> Density:
    counts = grid_counts(placed(scope), cell)
    radius_m = (len(gaussian_kernel(bandwidth, cell)) // 2 + 1) * cell * math.sqrt(2)
    support_wkb, support_bounds = perimeter_metric(
        scope.project, buffer_m=radius_m + scope.project.tolerance_m
    )
    raster = density_from_counts(
        counts, bandwidth=bandwidth, support_wkb=support_wkb, support_bounds=support_bounds
    )
    raster.left_out = left_out(scope)
    return raster, counts


def write_geotiff(density: Density, path, *, description: str) -> None:
    rows, cols = density.values.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=1,
        dtype="float32",
        crs=f"EPSG:{METRIC_SRID}",
        transform=density.transform,
        nodata=NODATA,
        compress="deflate",
        predictor=3,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    ) as dst:
        dst.write(density.values, 1)
        dst.set_band_description(1, description)
        dst.update_tags(
            1,
            UNITS="contributions per km2",
            BANDWIDTH_M=f"{density.bandwidth:g}",
            CELL_M=f"{density.cell:g}",
            KERNEL=f"Gaussian, truncated at {KERNEL_SIGMAS:g} sigma, weights sum to 1",
            POINTS=str(density.points),
            LEFT_OUT_COMMUNE_PRECISION=str(density.left_out),
            NORMALISATION="sum(values) * cell area in km2 = POINTS",
        )
