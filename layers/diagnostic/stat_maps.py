"""Maps of the statistics that survive small numbers: communes by smoothed participation
level (rates) and Getis-Ord Gi* hot and cold squares, drawn like the report's other maps
(layers.diagnostic.figures: commune outlines and names, a scale, no tiles)."""

import numpy as np
from django.utils.translation import gettext as _
from matplotlib.patches import Patch, Rectangle

from layers.diagnostic.figures import (
    chart_text,
    communes_frame,
    map_axes,
    orientation,
    png,
    rings,
    scale_bar,
)
from layers.diagnostic.folium_map import NO_DATA_COLOUR

LEVEL_COLOURS = {"high": "#d7301f", "low": "#2b8cbe", "as_expected": "#f2f2f2"}


def level_map(rate_rows, communes, labels: dict) -> str:
    """Each commune coloured by where its smoothed rate lies against the territory's: higher,
    lower, or not distinguishable from it (rates.CommuneRate.level)."""
    frame = communes_frame(communes)
    figure, axes = map_axes(frame)
    by_code = {row.code: row for row in rate_rows}
    for commune in communes:
        row = by_code.get(commune["code"])
        level = row.level if row is not None else None
        colour = LEVEL_COLOURS.get(level, NO_DATA_COLOUR)
        for xs, ys in rings(commune["geom"]):
            axes.fill(xs, ys, color=colour, alpha=0.9, zorder=1, lw=0)
    orientation(axes, communes, frame=frame)
    scale_bar(axes, frame)
    handles = [
        Patch(facecolor=LEVEL_COLOURS[level], edgecolor="#999999", label=chart_text(label))
        for level, label in labels.items()
    ]
    handles.append(
        Patch(
            facecolor=NO_DATA_COLOUR,
            edgecolor="#999999",
            label=chart_text(_("no data (population unknown)")),
        )
    )
    axes.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=7,
        frameon=False,
    )
    return png(figure)


GI_COLOURS = {"hot": "#d7301f", "cold": "#2b8cbe"}


def gi_map(gi, communes, labels: dict) -> str:
    """The squares found hot or cold by Getis-Ord Gi* (getis_ord.GiStar), on the communes."""
    frame = communes_frame(communes)
    figure, axes = map_axes(frame)
    for kind, colour in GI_COLOURS.items():
        chosen = np.flatnonzero(gi.kind == kind)
        for k in chosen:
            axes.add_patch(
                Rectangle(
                    (float(gi.i[k] * gi.cell), float(gi.j[k] * gi.cell)),
                    gi.cell,
                    gi.cell,
                    facecolor=colour,
                    edgecolor="none",
                    alpha=0.75,
                    zorder=1,
                )
            )
    orientation(axes, communes, frame=frame)
    scale_bar(axes, frame)
    handles = [
        Patch(facecolor=GI_COLOURS[kind], edgecolor="none", alpha=0.75, label=chart_text(label))
        for kind, label in labels.items()
    ]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    return png(figure)
