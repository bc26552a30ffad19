"""report.html: one page with the summary's figures and charts, in the project's language.

Charts are matplotlib PNGs embedded as base64 data URIs, so the page is one file that opens
offline and can be mailed or printed.

Every text a chart draws goes through `chart_text`: matplotlib reads a text between two `$` as
a formula (mathtext), so a theme named "Prix $5 à $10" would be drawn as mathematics, and one
with a backslash command between dollars stops the whole diagnostic. The page itself is a
Django template, escaped as every page is.
"""

import base64
import io

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
import numpy as np
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib import patheffects
from pyproj import Transformer

from contributions.models import Kind, Status
from core.i18n import localized
from core.postgis import METRIC_SRID, STORAGE_SRID
from layers.diagnostic.density import NODATA, Density
from layers.diagnostic.summary import TOP_COMMUNES

PNG_DPI = 110
TO_METRIC = Transformer.from_crs(STORAGE_SRID, METRIC_SRID, always_xy=True)
LABELLED_SHARE = 120  # a commune named on the density chart spans 1/120 of it or more


def chart_text(text) -> str:
    """A text for matplotlib, drawn as written: an escaped dollar is never a formula's edge,
    and matplotlib shows it as "$" (a backslash already before a dollar stays shown)."""
    return str(text).replace("$", r"\$")


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def bar_chart(labels, values, *, title, colours=None, horizontal=True) -> str:
    figure, axes = plt.subplots(figsize=(6, 0.45 * max(len(labels), 2) + 0.8))
    if horizontal:
        positions = np.arange(len(labels))[::-1]
        axes.barh(positions, values, color=colours or "#0b5cad")
        axes.set_yticks(positions, [chart_text(label) for label in labels])
        for y, value in zip(positions, values, strict=True):
            axes.annotate(
                f"{value:,}".replace(",", " ") if isinstance(value, int) else f"{value:.2f}",
                (value, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    axes.set_title(chart_text(title), fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def timeline_chart(weeks, *, title) -> str:
    figure, axes = plt.subplots(figsize=(6, 2.4))
    if weeks:
        dates, counts = zip(*weeks, strict=True)
        axes.bar(dates, counts, width=6, color="#1a7f37")
        figure.autofmt_xdate()
    axes.set_title(chart_text(title), fontsize=10, loc="left")
    axes.set_ylabel(chart_text(_("Contributions per week")), fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def density_chart(density: Density, hotspots, *, title, communes=()) -> str:
    values = np.ma.masked_equal(density.values, NODATA)
    x0, y0, x1, y1 = density.bounds
    figure, axes = plt.subplots(figsize=(6, 6 * (y1 - y0) / max(x1 - x0, 1)))
    shown = np.ma.masked_less_equal(values, 0)
    image = axes.imshow(
        np.ma.sqrt(shown), extent=(x0, x1, y0, y1), cmap="magma_r", interpolation="nearest"
    )
    axes.set_facecolor("#f4f4f4")
    _orientation(axes, communes, frame=(x0, y0, x1, y1))
    for hotspot in hotspots.hotspots[:10]:
        x, y = hotspot.centroid
        axes.annotate(str(hotspot.rank), (x, y), fontsize=7, color="#0b5cad", ha="center")
    bar = figure.colorbar(image, ax=axes, shrink=0.7)
    ticks = bar.get_ticks()
    bar.set_ticks(ticks, labels=[f"{t * t:.3g}" for t in ticks])
    bar.set_label(chart_text(_("contributions per km²")), fontsize=8)
    axes.set_title(chart_text(title), fontsize=10, loc="left")
    axes.set_xticks([])
    axes.set_yticks([])
    return _png(figure)


def _orientation(axes, communes, *, frame):
    """Commune outlines and the names of the larger ones, in the raster's metric CRS: a reader
    finds the places on the density map without any basemap."""
    x0, y0, x1, y1 = frame
    # Only communes whose extent is a fair share of the figure get a name that fits.
    min_extent = (x1 - x0) * (y1 - y0) / LABELLED_SHARE
    for commune in communes:
        geometry = commune["geom"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        extent = [np.inf, np.inf, -np.inf, -np.inf]
        for polygon in polygons:
            xs, ys = TO_METRIC.transform(*zip(*polygon[0], strict=True))
            axes.plot(xs, ys, color="#777777", linewidth=0.3, zorder=2)
            extent = [min(extent[0], min(xs)), min(extent[1], min(ys))] + [
                max(extent[2], max(xs)),
                max(extent[3], max(ys)),
            ]
        if (extent[2] - extent[0]) * (extent[3] - extent[1]) < min_extent:
            continue
        x, y = TO_METRIC.transform(*commune["label"])
        axes.annotate(
            chart_text(commune["name"]),
            (x, y),
            fontsize=4.5,
            color="#333333",
            ha="center",
            va="center",
            zorder=3,
            path_effects=[patheffects.withStroke(linewidth=1.2, foreground="white")],
        )
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)


def render(context: dict) -> str:
    return render_to_string("layers/diagnostic/report.html", context)


def page(summary, themes, weeks, raster, found, title, communes=()) -> str:
    """The report's HTML: the summary's figures, its charts and the largest hotspots."""
    theme_names = {t["slug"]: localized(t["name"]) or t["slug"] for t in themes}
    theme_colours = {t["slug"]: t["colour"] for t in themes}
    top = summary["top_communes"]
    # TeX, if a local matplotlibrc turned it on, would read names as TeX: charts draw plain text.
    with plt.rc_context({"text.usetex": False}):
        charts = _charts(summary, theme_names, theme_colours, weeks, raster, found, communes)
    context = {
        "title": title,
        "summary": summary,
        "charts": charts,
        "top_communes": top,
        "population_years": ", ".join(
            f"{country} {year}" if year else country
            for country, year in summary["totals"]["population_years"]
        ),
        "hotspots": [
            {
                "rank": h.rank,
                "count": h.count,
                "theme": theme_names.get(h.dominant_theme, ""),
                "share": round(100 * h.themes.get(h.dominant_theme, 0) / h.count),
                "area_km2": h.area_km2,
            }
            for h in found.hotspots[:TOP_COMMUNES]
        ],
        "answered_pct": (
            round(100 * summary["totals"]["answered_share"])
            if summary["totals"]["answered_share"] is not None
            else None
        ),
        "language": summary["language"],
        "left_out_note": left_out_note(summary["density"]["left_out_commune_precision"]),
    }
    return render(context)


def _charts(summary, theme_names, theme_colours, weeks, raster, found, communes) -> dict:
    """The report's charts, as data URIs."""
    kind_labels = dict(Kind.choices)
    status_labels = dict(Status.choices)
    by_theme = summary["by_theme"]
    top = summary["top_communes"]
    return {
        "themes": bar_chart(
            [theme_names[s] for s in by_theme],
            list(by_theme.values()),
            title=_("Contributions by theme"),
            colours=[theme_colours[s] for s in by_theme],
        ),
        "kinds": bar_chart(
            [str(kind_labels[k]) for k in summary["by_kind"]],
            list(summary["by_kind"].values()),
            title=_("Contributions by kind"),
        ),
        "statuses": bar_chart(
            [str(status_labels.get(s, s)) for s in summary["by_status"]],
            list(summary["by_status"].values()),
            title=_("Contributions by status"),
            colours=["#6f42c1"] * len(summary["by_status"]),
        ),
        "timeline": timeline_chart(weeks, title=_("Contributions over time")),
        "communes": bar_chart(
            [c["name"] for c in top],
            [c["contributions"] for c in top],
            title=_("Communes with the most contributions"),
            colours=["#b3261e"] * len(top),
        ),
        "density": density_chart(
            raster,
            found,
            title=_("Kernel density of contributions (hotspots numbered)"),
            communes=communes,
        ),
    }


def left_out_note(n: int) -> str:
    """Why the density and hotspots hold fewer contributions than the totals, or ""."""
    if not n:
        return ""
    return ngettext(
        "%(n)s contribution placed only by commune is not in the density map or the hotspots.",
        "%(n)s contributions placed only by commune are not in the density map or the hotspots.",
        n,
    ) % {"n": n}
