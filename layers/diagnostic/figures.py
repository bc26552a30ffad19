"""The report's figures: matplotlib PNGs, in the reader's language, the maps drawn on the
territory's own basemap.

Every figure is drawn from aggregates (counts per theme, per week, per commune, the density
raster, the hotspots' outlines), never from the contributions one by one, so its cost does not
grow with their number. Maps are drawn in the diagnostic's metric CRS (EPSG:3035, where a
metre is a metre at the territory's latitude to well under 1%): commune outlines and the names
of the larger communes orient the reader without any tile, and a scale bar gives distances.

Numbers and dates are written the reader's way (django.utils.formats with the active
language: "1 234,5" in French, "1.234,5" in Italian). Every text a figure draws goes through
`chart_text`: matplotlib reads a text between two `$` as a formula (mathtext), so a theme
named "Prix $5 à $10" would be drawn as mathematics, and one with a backslash command between
dollars would stop the whole diagnostic.
"""

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
import numpy as np
from django.utils.translation import gettext as _
from matplotlib import patheffects
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter
from pyproj import Transformer

from core.postgis import METRIC_SRID, STORAGE_SRID
from layers.diagnostic.density import NODATA, Density
from layers.diagnostic.folium_map import (
    CHOROPLETH_COLOURS,
    NO_DATA_COLOUR,
    class_breaks,
    colour_for,
)
from layers.diagnostic.formatting import month_label, number, significant

PNG_DPI = 150
MAP_WIDTH_IN = 6.8
HALF_WIDTH_IN = 3.6
TO_METRIC = Transformer.from_crs(STORAGE_SRID, METRIC_SRID, always_xy=True)
LABELLED_SHARE = 120  # a commune named on a map spans 1/120 of it or more
OUTLINE_COLOUR = "#6b6b6b"
HOTSPOT_COLOUR = "#0b5cad"


def chart_text(text) -> str:
    """A text for matplotlib, drawn as written: an escaped dollar is never a formula's edge,
    and matplotlib shows it as "$" (a backslash already before a dollar stays shown)."""
    return str(text).replace("$", r"\$")


def png(figure) -> str:
    """The figure as a PNG data URI (the report is one file that opens offline)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _frame_style(axes):
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)


# ---------------------------------------------------------------- charts


def bar_chart(labels, values, *, colours=None, decimals=None, width=MAP_WIDTH_IN) -> str:
    """Horizontal bars, largest first as given, each with its value written at its end."""
    figure, axes = plt.subplots(figsize=(width, 0.32 * max(len(labels), 2) + 0.6))
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, values, color=colours or "#0b5cad", height=0.7)
    axes.set_yticks(positions, [chart_text(label) for label in labels])
    largest = max(values, default=0) or 1
    for y, value in zip(positions, values, strict=True):
        axes.annotate(
            number(value, decimals),
            (value, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_xlim(0, largest * 1.15)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    _frame_style(axes)
    return png(figure)


def timeline_chart(weeks) -> str:
    """Contributions per week (the Monday of each week), months named the reader's way."""
    figure, axes = plt.subplots(figsize=(MAP_WIDTH_IN, 2.4))
    if weeks:
        dates, counts = zip(*weeks, strict=True)
        axes.bar(dates, counts, width=6, color="#1a7f37")
        from matplotlib.dates import MonthLocator, num2date

        months = max(1, round((dates[-1] - dates[0]).days / 30 / 8))  # at most about 8 ticks
        axes.xaxis.set_major_locator(MonthLocator(interval=months))
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: chart_text(month_label(num2date(v).date())))
        )
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    axes.set_ylabel(chart_text(_("Contributions per week")), fontsize=8)
    _frame_style(axes)
    return png(figure)


# ---------------------------------------------------------------- maps


def _polygons(geometry):
    polygons = geometry["coordinates"]
    return [polygons] if geometry["type"] == "Polygon" else polygons


def rings(geometry):
    """The outer rings of a GeoJSON (Multi)Polygon in WGS 84, as (xs, ys) in EPSG:3035."""
    for polygon in _polygons(geometry):
        xs, ys = TO_METRIC.transform(*zip(*polygon[0], strict=True))
        yield np.asarray(xs), np.asarray(ys)


def orientation(axes, communes, *, frame, names=True):
    """Commune outlines and the names of the larger ones, in the metric CRS: a reader finds
    the places on a map without any tile."""
    x0, y0, x1, y1 = frame
    # Only communes whose extent is a fair share of the figure get a name that fits.
    min_extent = (x1 - x0) * (y1 - y0) / LABELLED_SHARE
    for commune in communes:
        extent = [np.inf, np.inf, -np.inf, -np.inf]
        for xs, ys in rings(commune["geom"]):
            axes.plot(xs, ys, color=OUTLINE_COLOUR, linewidth=0.35, zorder=2)
            extent = [
                min(extent[0], xs.min()),
                min(extent[1], ys.min()),
                max(extent[2], xs.max()),
                max(extent[3], ys.max()),
            ]
        if not names or (extent[2] - extent[0]) * (extent[3] - extent[1]) < min_extent:
            continue
        x, y = TO_METRIC.transform(*commune["label"])
        axes.annotate(
            chart_text(commune["name"]),
            (x, y),
            fontsize=5,
            color="#222222",
            ha="center",
            va="center",
            zorder=4,
            path_effects=[patheffects.withStroke(linewidth=1.4, foreground="white")],
        )
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)


def nice_length(width_m: float) -> float:
    """A round length (1, 2 or 5 times a power of ten) of about a fifth of the map's width."""
    target = width_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def scale_bar(axes, frame):
    """A two-part black and white bar in the lower left corner, its length in words."""
    x0, y0, x1, y1 = frame
    length = nice_length(x1 - x0)
    height = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    for k, colour in enumerate(("#111111", "#ffffff")):
        axes.add_patch(
            Rectangle(
                (left + k * length / 2, bottom),
                length / 2,
                height,
                facecolor=colour,
                edgecolor="#111111",
                linewidth=0.6,
                zorder=5,
            )
        )
    label = (
        _("%(distance)s km") % {"distance": number(length / 1000)}
        if length >= 1000
        else _("%(distance)s m") % {"distance": number(length)}
    )
    axes.annotate(
        chart_text(label),
        (left + length / 2, bottom + height * 1.6),
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=5,
        path_effects=[patheffects.withStroke(linewidth=1.6, foreground="white")],
    )


def map_axes(frame):
    x0, y0, x1, y1 = frame
    figure, axes = plt.subplots(
        figsize=(MAP_WIDTH_IN, MAP_WIDTH_IN * (y1 - y0) / max(x1 - x0, 1) * 0.9)
    )
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color("#bbbbbb")
    return figure, axes


def communes_frame(communes, margin=0.03):
    xs, ys = [], []
    for commune in communes:
        for rx, ry in rings(commune["geom"]):
            xs.extend((rx.min(), rx.max()))
            ys.extend((ry.min(), ry.max()))
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def density_map(density: Density, hotspots, communes) -> str:
    """The kernel density with the hotspots outlined and numbered, on the communes."""
    frame = communes_frame(communes) if communes else density.bounds
    figure, axes = map_axes(frame)
    x0, y0, x1, y1 = density.bounds
    values = np.ma.masked_equal(density.values, NODATA)
    shown = np.ma.masked_less_equal(values, 0)
    image = axes.imshow(
        np.ma.sqrt(shown),
        extent=(x0, x1, y0, y1),
        cmap="magma_r",
        interpolation="nearest",
        zorder=1,
    )
    axes.set_facecolor("#ffffff")
    orientation(axes, communes, frame=frame)
    for hotspot in hotspots.hotspots:
        for xs, ys in rings(hotspot.geometry):
            axes.plot(xs, ys, color=HOTSPOT_COLOUR, linewidth=0.9, linestyle="--", zorder=3)
        x, y = hotspot.centroid
        axes.annotate(
            str(hotspot.rank),
            (x, y),
            fontsize=7,
            fontweight="bold",
            color=HOTSPOT_COLOUR,
            ha="center",
            va="center",
            zorder=6,
            path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")],
        )
    scale_bar(axes, frame)
    bar = figure.colorbar(image, ax=axes, shrink=0.6, pad=0.02)
    ticks = [t for t in bar.get_ticks() if t >= 0]
    bar.set_ticks(ticks, labels=[significant(t * t) for t in ticks])
    bar.set_label(chart_text(_("contributions per km²")), fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return png(figure)


def rate_map(area_rows, communes) -> str:
    """Contributions per 1,000 inhabitants per commune, in the classes of the web map."""
    frame = communes_frame(communes)
    figure, axes = map_axes(frame)
    by_code = {row["code"]: row for row in area_rows}
    breaks = class_breaks(row["per_1000_inhabitants"] for row in area_rows)
    for commune in communes:
        value = by_code[commune["code"]]["per_1000_inhabitants"]
        for xs, ys in rings(commune["geom"]):
            axes.fill(xs, ys, color=colour_for(value, breaks), alpha=0.85, zorder=1, lw=0)
    orientation(axes, communes, frame=frame)
    scale_bar(axes, frame)
    handles = [Patch(facecolor=CHOROPLETH_COLOURS[0], edgecolor="#999999", label="0")]
    lower = 0.0
    offset = len(CHOROPLETH_COLOURS) - len(breaks)
    for index, upper in enumerate(breaks):
        label = f"{number(lower, 1) if lower else number(0)} – {number(upper, 1)}"
        handles.append(
            Patch(facecolor=CHOROPLETH_COLOURS[index + offset], edgecolor="#999999", label=label)
        )
        lower = upper
    handles.append(
        Patch(
            facecolor=NO_DATA_COLOUR,
            edgecolor="#999999",
            label=chart_text(_("no data (population unknown)")),
        )
    )
    axes.legend(
        handles=handles,
        title=chart_text(_("per 1,000 inhabitants")),
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=7,
        title_fontsize=8,
        frameon=False,
    )
    return png(figure)


def weekly_themes_chart(weeks, counts: dict, themes: list[dict]) -> str:
    """Contributions per week, stacked by theme in the themes' colours (themes.weekly)."""
    figure, axes = plt.subplots(figsize=(MAP_WIDTH_IN, 2.6))
    if weeks:
        bottom = np.zeros(len(weeks))
        for theme in themes:
            values = np.asarray(counts.get(theme["slug"], [0] * len(weeks)), dtype=float)
            axes.bar(
                weeks,
                values,
                width=6,
                bottom=bottom,
                color=theme["colour"],
                label=chart_text(theme["label"]),
            )
            bottom += values
        from matplotlib.dates import MonthLocator, num2date

        months = max(1, round((weeks[-1] - weeks[0]).days / 30 / 8))
        axes.xaxis.set_major_locator(MonthLocator(interval=months))
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: chart_text(month_label(num2date(v).date())))
        )
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    axes.set_ylabel(chart_text(_("Contributions per week")), fontsize=8)
    _frame_style(axes)
    return png(figure)
