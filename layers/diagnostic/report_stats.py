"""The report's sections on the statistics that survive small numbers (smoothed rates,
Getis-Ord Gi*) and on what the services did (results); each a function turning ReportData
into a Section, listed in report.SECTIONS (docs/diagnostic.md)."""

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape

from contributions.results import public_results
from layers.diagnostic import rates, stat_maps
from layers.diagnostic.folium_map import TO_WGS84
from layers.diagnostic.formatting import number
from layers.diagnostic.report_data import ReportData, Section


def level_labels() -> dict:
    """The levels' sentences (rates.LEVELS, one definition), in the report's order."""
    return {level: str(rates.LEVELS[level]) for level in (rates.HIGH, rates.AS_EXPECTED, rates.LOW)}


def rates_section(data: ReportData) -> Section:
    """Rates per 1,000 smoothed by empirical Bayes (layers.diagnostic.rates): which communes
    take part more, or less, than the territory as a whole, beyond chance."""
    r = data.rates
    labels = level_labels()
    marked = [row for row in r.ranked() if row.level in ("high", "low")]
    return Section(
        id="rates",
        heading=_("Where participation is higher or lower than expected"),
        template="layers/diagnostic/sections/rates.html",
        context={
            "map": stat_maps.level_map(r.rows, data.communes, labels) if data.communes else "",
            "territory": number(r.territory_rate, 2),
            "confidence": number(round(100 * r.confidence)),
            "min_count": number(r.min_count),
            "high": sum(1 for row in r.rows if row.level == "high"),
            "low": sum(1 for row in r.rows if row.level == "low"),
            "rows": [
                {
                    "name": row.name,
                    "contributions": number(row.contributions),
                    "population": number(row.population),
                    "raw": number(row.raw, 2),
                    "smoothed": number(row.smoothed, 2),
                    "interval": f"{number(row.low, 2)} – {number(row.high, 2)}",
                    "level": labels[row.level],
                    "too_few": row.too_few,
                }
                for row in marked
            ],
        },
    )


def gi_star_section(data: ReportData) -> Section:
    """Getis-Ord Gi* hot and cold spots on 1 km squares with a false discovery rate
    (getis_ord.gi_star): where contributions gather more than chance would put them."""
    gi = data.gi
    labels = {"hot": _("hot spot"), "cold": _("cold spot")}
    hot = gi.kind == "hot"
    return Section(
        id="gi-star",
        heading=_("Concentrations beyond chance"),
        template="layers/diagnostic/sections/gi_star.html",
        context={
            "map": stat_maps.gi_map(gi, data.communes, labels) if data.communes else "",
            "cell_km": number(gi.cell / 1000),
            "hot": int(hot.sum()),
            "hot_n": number(int(hot.sum())),
            "cold": int((gi.kind == "cold").sum()),
            "cold_n": number(int((gi.kind == "cold").sum())),
            "in_hot": number(int(gi.count[hot].sum())),
            "alpha": number(round(100 * gi.alpha)),
            "places": ", ".join(_gi_places(gi, data.communes)),
        },
    )


def _gi_places(gi, communes) -> list[str]:
    """The communes holding the centre of a hot square, by number of such squares."""
    hot = np.flatnonzero(gi.kind == "hot")
    if not len(hot) or not communes:
        return []
    lon, lat = TO_WGS84.transform((gi.i[hot] + 0.5) * gi.cell, (gi.j[hot] + 0.5) * gi.cell)
    found = []
    for commune in communes:
        n = int(shapely.contains_xy(shape(commune["geom"]), lon, lat).sum())
        if n:
            found.append((-n, commune["name"]))
    return [name for _n, name in sorted(found)]


def results_of(project, language: str) -> list[dict]:
    """The project's results, newest change first, their title in the report's language."""
    return [
        {
            "title": project.answer_in(result.title, language=language).text,
            "status": str(result.get_status_display()),
            "progress": number(result.progress),
            "answered": number(result.answered),
        }
        for result in public_results(project)
    ]


def results_section(data: ReportData) -> Section:
    return Section(
        id="results",
        heading=_("You said, we did"),
        template="layers/diagnostic/sections/results.html",
        context={"results": data.results},
        new_page=False,
    )
