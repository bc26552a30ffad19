"""The report's section on the questionnaires: per questionnaire, its responses, each
question's summary (answered, the choices' shares, mean and median), the communes' response
rates per 1,000 inhabitants, and per map question its Gi* hot squares (with a map) and its
cross-tabulation by a choice question. Figures are questionnaires.results' own, read once by
layers.diagnostic.questionnaires when the bundle is written; a project without responses to a
questionnaire has no such section."""

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape

from layers.diagnostic import stat_maps
from layers.diagnostic.formatting import number
from layers.diagnostic.report_data import ReportData, Section

TOP_COMMUNES = 10


def questionnaires_section(data: ReportData) -> Section | None:
    if not data.questionnaires:
        return None
    labels = {"hot": _("hot spot"), "cold": _("cold spot")}
    return Section(
        id="questionnaires",
        heading=_("Questionnaires"),
        template="layers/diagnostic/sections/questionnaires.html",
        context={
            "questionnaires": [
                _questionnaire(entry, data.communes, labels) for entry in data.questionnaires
            ],
        },
    )


def _questionnaire(entry, communes, labels) -> dict:
    return {
        "slug": entry["slug"],
        "title": entry["title"],
        "responses": number(entry["responses"]),
        "questions": [_question(q) for q in entry["questions"]],
        "communes": [
            {**row, "per_1000": number(row["per_1000"], 2) if row["per_1000"] is not None else ""}
            for row in sorted(
                (row for row in entry["communes"] if row["code"] and row["responses"]),
                key=lambda row: (-row["responses"], row["code"]),
            )[:TOP_COMMUNES]
        ],
        "maps": [
            {
                "code": code,
                "hot": m["hot_squares"],
                "hot_n": number(m["hot_squares"]),
                "in_hot": number(m["in_hot_squares"]),
                "places": ", ".join(_places(m["hot_centres"], communes)),
                "map": stat_maps.gi_map(m["gi"], communes, labels) if communes else "",
                "density_file": m["density_file"],
                "gi_file": m["gi_file"],
            }
            for code, m in entry["maps"].items()
        ],
        "cross_tabs": [_cross_tab(table, communes) for table in entry["cross_tabs"]],
    }


def _question(summary: dict) -> dict:
    if summary["suppressed"] and summary["answered"] is None:
        detail = _("fewer than 5 answers: not shown")
    elif summary["choices"]:
        detail = "; ".join(
            f"{c['label']}: {number(c['count'])} ({number(100 * (c['share'] or 0), 0)} %)"
            for c in summary["choices"]
        )
    elif summary["mean"] is not None:
        detail = _("mean %(mean)s, median %(median)s") % {
            "mean": number(summary["mean"], 1),
            "median": number(summary["median"], 1),
        }
    elif summary["map_answers"] is not None:
        detail = _("%(n)s shapes drawn") % {"n": number(summary["map_answers"])}
    else:
        detail = ""
    return {
        "code": summary["code"],
        "text": summary["text"],
        "answered": number(summary["answered"]) if summary["answered"] is not None else "",
        "detail": detail,
    }


def _places(centres, communes) -> list[str]:
    found = []
    for commune in communes or []:
        outline = shape(commune["geom"])
        n = sum(bool(shapely.contains_xy(outline, lon, lat)) for lon, lat in centres)
        if n:
            found.append((-n, commune["name"]))
    return [name for _n, name in sorted(found)]


def _cross_tab(table: dict, communes) -> dict:
    names = {c["code"]: c["name"] for c in communes or []}
    return {
        "map_question": table["map_question"],
        "choice_question": table["choice_question"],
        "suppressed": table["suppressed"],
        "groups": [
            {
                "value": group["value"],
                "label": group["label"],
                "respondents": number(group["respondents"]),
                "map_answers": number(group["map_answers"]),
                "communes": ", ".join(
                    f"{names.get(code, code or '?')} ({number(n)})"
                    for code, n in sorted(group["communes"].items(), key=lambda kv: -kv[1])[:3]
                ),
            }
            for group in table["groups"]
        ],
    }
