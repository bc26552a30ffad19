"""The report, ready to present: report.html, and the same page as a paginated A4 PDF
(layers.diagnostic.pdf), in the reader's language.

The report is a title page (the project, its partners' names and logos, the period, the
participation level) followed by sections. A section is one function here, which turns the
bundle's data (`ReportData`) into a `Section`, and one template under
layers/templates/layers/diagnostic/sections/ that draws it; `SECTIONS` lists them in the
order of the report. Adding a figure to the report is adding one of each.

Numbers and dates are written the reader's way (figures.number, figures.long_date): no ISO
timestamp and no decimal point on a French page. Figures are matplotlib PNGs embedded as data
URIs, so report.html is one file that opens offline and can be mailed or printed. The page
itself is a Django template, escaped as every page is.
"""

from datetime import datetime

import matplotlib.pyplot as plt
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import Point, shape

from contributions.models import Kind, Status
from layers.diagnostic import areas, figures, report_partner, report_questionnaires, report_stats
from layers.diagnostic.folium_map import TO_WGS84
from layers.diagnostic.formatting import long_date, number
from layers.diagnostic.report_data import ReportData, Section
from layers.diagnostic.summary import TOP_COMMUNES
from layers.diagnostic.themes import percentages

# Kept for callers of the former module layout.
chart_text = figures.chart_text


# ---------------------------------------------------------------- the sections


def key_figures(data: ReportData) -> Section:
    totals = data.summary["totals"]
    share = totals["answered_share"]
    return Section(
        id="key-figures",
        heading=_("Key figures"),
        template="layers/diagnostic/sections/key_figures.html",
        context={
            "contributions": number(totals["contributions"]),
            "communes_with": number(totals["communes_with_contributions"]),
            "communes": number(totals["communes"]),
            "per_1000": number(totals["per_1000_inhabitants"], 1),
            "votes": number(totals["votes"]),
            "answered": number(100 * share, 0) if share is not None else None,
            "hotspots": number(data.summary["hotspots"]["count"]),
            "kinds": figures.bar_chart(
                [str(dict(Kind.choices)[k]) for k in data.summary["by_kind"]],
                list(data.summary["by_kind"].values()),
                width=figures.HALF_WIDTH_IN,
            ),
            "statuses": figures.bar_chart(
                [str(dict(Status.choices).get(s, s)) for s in data.summary["by_status"]],
                list(data.summary["by_status"].values()),
                colours=["#6f42c1"] * len(data.summary["by_status"]),
                width=figures.HALF_WIDTH_IN,
            ),
            "timeline": figures.timeline_chart(data.weeks),
        },
        new_page=False,
    )


def themes_section(data: ReportData) -> Section:
    by_theme = data.summary["by_theme"]
    total = sum(by_theme.values())
    colours = {t["slug"]: t["colour"] for t in data.themes}
    weekly = ""
    if data.weekly_themes is not None and data.weekly_themes.weeks:
        weekly = figures.weekly_themes_chart(
            data.weekly_themes.weeks,
            data.weekly_themes.counts,
            [{**t, "label": data.theme_name(t["slug"])} for t in data.themes],
        )
    return Section(
        id="themes",
        heading=_("Themes"),
        template="layers/diagnostic/sections/themes.html",
        context={
            "share_heading": _("share (%)"),
            "weekly": weekly,
            "theme_names": [data.theme_name(t["slug"]) for t in data.themes],
            "shares": _theme_shares(data),
            "chart": figures.bar_chart(
                [data.theme_name(s) for s in by_theme],
                list(by_theme.values()),
                colours=[colours[s] for s in by_theme],
            ),
            "rows": [
                {
                    "name": data.theme_name(slug),
                    "count": number(count),
                    "share": number(100 * count / total, 1) if total else "–",
                }
                for slug, count in by_theme.items()
            ],
        },
    )


def _theme_shares(data: ReportData) -> list[dict]:
    """The communes with the most contributions, each theme's share of theirs (in percent,
    adding up to 100: themes.percentages)."""

    slugs = [t["slug"] for t in data.themes]
    rows = sorted(data.area_rows, key=lambda r: (-r["contributions"], r["name"]))
    shares = []
    for row in rows[:TOP_COMMUNES]:
        if not row["contributions"]:
            break
        counts = {slug: row[areas.theme_column(slug)] for slug in slugs}
        percent = percentages(counts) or {}
        shares.append(
            {
                "name": row["name"],
                "total": number(row["contributions"]),
                "percent": [number(percent.get(slug, 0), 1) for slug in slugs],
            }
        )
    return shares


def communes_section(data: ReportData) -> Section:
    top = data.summary["top_communes"]
    return Section(
        id="communes",
        heading=_("Contributions per commune"),
        template="layers/diagnostic/sections/communes.html",
        context={
            "map": figures.rate_map(data.area_rows, data.communes) if data.communes else "",
            "top": TOP_COMMUNES,
            "rows": [_commune_row(c) for c in top],
            "population_years": ", ".join(
                f"{country} {year}" if year else country
                for country, year in data.summary["totals"]["population_years"]
            ),
        },
    )


def _commune_row(row, rate=None) -> dict:
    """A commune's row; with its `rate` (rates.CommuneRate), the smoothed rate and a mark for
    a level higher (▲) or lower (▼) than the territory's."""
    return {
        "name": row["name"],
        "code": row["code"],
        "population": number(row["population"]),
        "contributions": number(row["contributions"]),
        "per_1000": number(row["per_1000_inhabitants"], 1),
        "smoothed": number(rate.smoothed, 1) if rate is not None else None,
        "mark": {"high": "▲", "low": "▼"}.get(rate.level, "") if rate is not None else "",
    }


def density_section(data: ReportData) -> Section:
    names = _hotspot_places(data.found.hotspots, data.communes)
    return Section(
        id="density",
        heading=_("Where contributions concentrate"),
        template="layers/diagnostic/sections/density.html",
        context={
            "map": figures.density_map(data.raster, data.found, data.communes),
            "left_out_note": left_out_note(data.summary["density"]["left_out_commune_precision"]),
            "hotspots": [
                {
                    "rank": h.rank,
                    "place": names.get(h.rank, ""),
                    "count": number(h.count),
                    "theme": data.theme_name(h.dominant_theme),
                    "share": number(100 * h.themes.get(h.dominant_theme, 0) / h.count, 0),
                    "area_km2": number(h.area_km2, 2),
                }
                for h in data.found.hotspots[:TOP_COMMUNES]
            ],
            "more": max(0, len(data.found.hotspots) - TOP_COMMUNES),
        },
    )


def _hotspot_places(hotspots, communes) -> dict[int, str]:
    """The commune each hotspot's centre lies in (per rank), so a reader knows where it is."""
    shapes = [(c["name"], shape(c["geom"])) for c in communes]
    places = {}
    for hotspot in hotspots:
        point = Point(*TO_WGS84.transform(*hotspot.centroid))
        places[hotspot.rank] = next((name for name, s in shapes if s.contains(point)), "")
    return places


def all_communes(data: ReportData) -> Section:
    rows = sorted(data.area_rows, key=lambda r: (-r["contributions"], r["name"]))
    smoothed = {r.code: r for r in data.rates.rows} if data.rates is not None else {}
    return Section(
        id="all-communes",
        heading=_("Every commune of the perimeter"),
        template="layers/diagnostic/sections/all_communes.html",
        context={"rows": [_commune_row(r, smoothed.get(r["code"])) for r in rows]},
    )


def methods(data: ReportData) -> Section:
    summary = data.summary
    return Section(
        id="methods",
        heading=_("Methods and limits"),
        template="layers/diagnostic/sections/methods.html",
        context={
            "first": long_date(_date(summary["period"]["first"])),
            "last": long_date(_date(summary["period"]["last"])),
            "contributions": number(summary["totals"]["contributions"]),
            "cell": number(summary["density"]["cell_m"]),
            "bandwidth": number(summary["density"]["bandwidth_m"]),
            "eps": number(summary["hotspots"]["eps_m"]),
            "minpoints": number(summary["hotspots"]["minpoints"]),
            "left_out": summary["density"]["left_out_commune_precision"],
            "left_out_n": number(summary["density"]["left_out_commune_precision"]),
            "outside": summary["totals"]["outside_communes"],
            "outside_n": number(summary["totals"]["outside_communes"]),
            "population_years": ", ".join(
                f"{country} {year}" if year else country
                for country, year in summary["totals"]["population_years"]
            ),
            "example_population": number(200),
            "files": data.files,
        },
    )


# The report's sections in order; a new one is a function above and a template in sections/.
SECTIONS = (
    key_figures,
    themes_section,
    communes_section,
    report_stats.rates_section,
    density_section,
    report_stats.gi_star_section,
    report_stats.results_section,
    report_partner.partner_section,
    report_questionnaires.questionnaires_section,
    methods,
    all_communes,
)


def _date(text):
    return datetime.fromisoformat(text) if text else None


def css_string(text: str) -> str:
    """A text as a CSS string literal (for @page's page numbers): every character that is not
    a letter, a digit or a space is written as a CSS escape, so no text can end the string."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every other character escaped above


def page_numbers() -> str:
    """The CSS `content` of the page numbers, "Page 3 of 12" in the reader's words and order."""
    text = _("Page %(page)s of %(pages)s") % {"page": "\x00page\x00", "pages": "\x00pages\x00"}
    parts = []
    for piece in text.split("\x00"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 - CSS strings escaped by css_string


def render(data: ReportData, *, for_print: bool = False) -> str:
    """The report's HTML; `for_print` lays it out for A4 pages (the PDF)."""
    summary = data.summary
    # TeX, if a local matplotlibrc turned it on, would read names as TeX: charts draw plain text.
    with plt.rc_context({"text.usetex": False}):
        # A section with nothing to draw (no partner projects) answers None.
        sections = [section for make in SECTIONS if (section := make(data)) is not None]
    totals = summary["totals"]
    context = {
        "title": data.title,
        "language": summary["language"],
        "for_print": for_print,
        "partners": data.partners,
        "participation_level": data.participation_level,
        "generated": long_date(data.generated),
        "first": long_date(_date(summary["period"]["first"])),
        "last": long_date(_date(summary["period"]["last"])),
        "contributions": number(totals["contributions"]),
        "communes_with": number(totals["communes_with_contributions"]),
        "communes": number(totals["communes"]),
        "sections": sections,
        "page_numbers": page_numbers(),
        "running_title": css_string(_("Shared diagnostic: %(title)s") % {"title": data.title}),
    }
    return render_to_string("layers/diagnostic/report.html", context)


def left_out_note(n: int) -> str:
    """Why the density and hotspots hold fewer contributions than the totals, or ""."""
    if not n:
        return ""
    return ngettext(
        "%(n)s contribution placed only by commune is not in the density map or the hotspots.",
        "%(n)s contributions placed only by commune are not in the density map or the hotspots.",
        n,
    ) % {"n": number(n)}
