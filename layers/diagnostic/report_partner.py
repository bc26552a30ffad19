"""The report's section on the vote on the partners' projects: the state of the vote, its
turnout, the ranking (votes, for and against or the mean rating, rank, outcome), the votes by
theme and by commune of residence (groups of partner_figures.MIN_GROUP or more), and a map of
the projects' places numbered by rank.

Every figure is contributions.partner_figures' own (docs/figures.md, "Partner projects"),
read once by `partner_data` when the bundle is written (in the bundle's snapshot) and drawn
by `partner_section` (listed in report.SECTIONS). A project without partner projects has no
such section."""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.utils.translation import gettext as _
from matplotlib import patheffects

from contributions import partner_figures
from contributions.models import Outcome, PartnerProject, PartnerVoteMode, PartnerVoteState
from core.i18n import localized
from layers.diagnostic.figures import (
    TO_METRIC,
    chart_text,
    communes_frame,
    map_axes,
    orientation,
    png,
    scale_bar,
)
from layers.diagnostic.formatting import long_date, number
from layers.diagnostic.report_data import ReportData, Section

# The public map's colour for the partners' projects (mapping/static/mapping/partner.css).
COLOUR = "#5b2a86"


def partner_data(project, language: str) -> dict | None:
    """What the section draws, read from partner_figures in the report's language; None for a
    project with no published partner project."""
    places = dict(
        PartnerProject.objects.of_project(project)
        .published()
        .annotate(shape=AsGeoJSON("location"))
        .values_list("pk", "shape")
    )
    if not places:
        return None
    rating = project.partner_vote_mode == PartnerVoteMode.RATING
    themes = {
        theme.pk: localized(theme.name, language) or theme.slug for theme in project.themes.all()
    }
    outcomes = dict(Outcome.choices)
    ranking = [
        {
            "id": row.id,
            "rank": row.rank if row.votes else None,
            "title": project.answer_in(row.title, language=language).text,
            "theme": themes.get(row.theme_id, ""),
            "votes": row.votes,
            "votes_for": row.votes_for,
            "votes_against": row.votes_against,
            "mean_rating": row.mean_rating,
            "share": row.turnout_percent,
            "outcome": str(outcomes.get(row.outcome, row.outcome)) if row.outcome else "",
            "geometry": json.loads(places[_uuid(row.id, places)]),
        }
        for row in partner_figures.partner_vote_results(project)
    ]
    return {
        "state": project.partner_vote_state(),
        "rating": rating,
        "ranking_public": partner_figures.ranking_is_public(project),
        "opens_at": project.partner_vote_opens_at,
        "closes_at": project.partner_vote_closes_at,
        "turnout": partner_figures.partner_turnout(project),
        "ranking": ranking,
        "by_theme": [
            {**row, "name": localized(row["name"], language) or row["theme"]}
            for row in partner_figures.partner_votes_by_theme(project)
        ],
        "by_commune": partner_figures.partner_votes_by_commune(project),
    }


def summary_of(data: dict) -> dict:
    """summary.json's `partner_vote`: the same figures as the section, as plain values."""
    by_commune = data["by_commune"]
    return {
        "state": str(data["state"]),
        "ranking_public": data["ranking_public"],
        "opens_at": data["opens_at"].isoformat() if data["opens_at"] else None,
        "closes_at": data["closes_at"].isoformat() if data["closes_at"] else None,
        "participants": data["turnout"]["participants"],
        "per_1000_inhabitants": data["turnout"]["per_1000"],
        "votes": sum(row["votes"] for row in data["ranking"]),
        "projects": [
            {key: value for key, value in row.items() if key != "geometry"}
            for row in data["ranking"]
        ],
        "by_theme": {
            row["theme"]: {
                key: row[key]
                for key in ("projects", "participants", "votes", "votes_for", "votes_against")
            }
            | {"mean_rating": row["mean_rating"]}
            for row in data["by_theme"]
        },
        "by_commune": {
            row["code"]: {
                key: row[key]
                for key in ("participants", "per_1000", "votes", "votes_for", "votes_against")
            }
            | {"mean_rating": row["mean_rating"]}
            for row in by_commune["communes"]
        },
        "min_group": by_commune["min_group"],
        "suppressed_communes": by_commune["suppressed_communes"],
        "suppressed_participants": by_commune["suppressed_participants"],
        "not_given": by_commune["not_given"],
    }


def _uuid(identifier: str, places: dict):
    return next(key for key in places if str(key) == identifier)


def _state_sentence(data: dict) -> str:
    state = data["state"]
    if state == PartnerVoteState.CLOSED:
        return _("The vote closed on %(date)s.") % {"date": long_date(data["closes_at"])}
    if state == PartnerVoteState.OPEN:
        text = _("The vote is open until %(date)s: these figures are provisional.") % {
            "date": long_date(data["closes_at"])
        }
        if not data["ranking_public"]:
            text += " " + _("The ranking is not public yet.")
        return text
    if state == PartnerVoteState.UPCOMING:
        return _("The vote opens on %(date)s.") % {"date": long_date(data["opens_at"])}
    return _("No voting period is set yet.")


def _draw(axes, geometry, label):
    """A place in the metric CRS: a line drawn, an area shaded, and a star on every place
    (the point itself, a line's middle vertex, an area's mean vertex), so that a small line
    or area still shows at the territory's scale; `label` (the rank) beside the star."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        x, y = TO_METRIC.transform(*coordinates[:2])
    elif kind in ("LineString", "MultiLineString"):
        for line in [coordinates] if kind == "LineString" else coordinates:
            xs, ys = TO_METRIC.transform(*zip(*[c[:2] for c in line], strict=True))
            axes.plot(xs, ys, color=COLOUR, linewidth=2.2, zorder=6)
        x, y = xs[len(xs) // 2], ys[len(ys) // 2]
    else:
        for polygon in [coordinates] if kind == "Polygon" else coordinates:
            xs, ys = TO_METRIC.transform(*zip(*[c[:2] for c in polygon[0]], strict=True))
            axes.fill(xs, ys, color=COLOUR, alpha=0.3, zorder=5, lw=1.4, ec=COLOUR)
        x, y = sum(xs) / len(xs), sum(ys) / len(ys)
    axes.plot([x], [y], marker="*", markersize=13, color=COLOUR, mec="white", zorder=6)
    if label:
        axes.annotate(
            chart_text(label),
            (x, y),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            color=COLOUR,
            zorder=7,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )


def partner_map(ranking: list[dict], communes: list[dict]) -> str:
    """The projects on the communes, each numbered by its rank (none without a vote)."""
    frame = communes_frame(communes)
    figure, axes = map_axes(frame)
    orientation(axes, communes, frame=frame)
    for row in ranking:
        _draw(axes, row["geometry"], str(row["rank"]) if row["rank"] else "")
    scale_bar(axes, frame)
    return png(figure)


def _n(value, decimals=0):
    return "–" if value is None else number(value, decimals)


def partner_section(data: ReportData) -> Section | None:
    partner = data.partner_projects
    if not partner:
        return None
    turnout = partner["turnout"]
    by_commune = partner["by_commune"]
    return Section(
        id="partner-projects",
        heading=_("The vote on the partners' projects"),
        template="layers/diagnostic/sections/partner_projects.html",
        context={
            "state": _state_sentence(partner),
            "rating": partner["rating"],
            "participants": turnout["participants"],
            "participants_n": number(turnout["participants"]),
            "per_1000": _n(turnout["per_1000"], 2),
            "votes": number(sum(row["votes"] for row in partner["ranking"])),
            "map": partner_map(partner["ranking"], data.communes) if data.communes else "",
            "ranking": [
                {
                    "id": row["id"],
                    "rank": row["rank"] or "–",
                    "title": row["title"],
                    "theme": row["theme"],
                    "votes": number(row["votes"]),
                    "votes_for": number(row["votes_for"]),
                    "votes_against": number(row["votes_against"]),
                    "mean_rating": _n(row["mean_rating"], 2),
                    "share": _n(row["share"], 1),
                    "outcome": row["outcome"],
                }
                for row in partner["ranking"]
            ],
            "themes": [
                {
                    "slug": row["theme"],
                    "name": row["name"],
                    "projects": number(row["projects"]),
                    "participants": number(row["participants"]),
                    "votes": number(row["votes"]),
                    "votes_for": number(row["votes_for"]),
                    "votes_against": number(row["votes_against"]),
                    "mean_rating": _n(row["mean_rating"], 2),
                }
                for row in partner["by_theme"]
            ],
            "communes": [
                {
                    "code": row["code"],
                    "name": row["name"],
                    "participants": number(row["participants"]),
                    "per_1000": _n(row["per_1000"], 2),
                    "votes": number(row["votes"]),
                    "votes_for": number(row["votes_for"]),
                    "votes_against": number(row["votes_against"]),
                    "mean_rating": _n(row["mean_rating"], 2),
                }
                for row in by_commune["communes"]
            ],
            "min_group": by_commune["min_group"],
            "suppressed_communes": by_commune["suppressed_communes"],
            "suppressed_participants": by_commune["suppressed_participants"],
            "not_given": by_commune["not_given"],
        },
    )
