"""The dashboard's "partner projects" section: the vote on the partners' projects as tables
that also download as CSV (the ranking, by theme, by commune of residence) and its turnout.

Every figure is contributions.partner_figures' own (docs/figures.md, "Partner projects"):
this module only arranges them into columns. Staff see the ranking as soon as votes come in;
the public sees it once partner_figures.ranking_is_public says so, which the section tells."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contributions import partner_figures
from contributions.models import (
    Outcome,
    PartnerProject,
    PartnerVoteMode,
    PartnerVoteState,
    Project,
)
from core.i18n import localized
from staff.selectors.dashboard import HEADINGS, Table

PARTNER_HEADINGS = {
    **HEADINGS,
    "rank": _("rank"),
    "id": _("id"),
    "title": _("project"),
    "votes": _("votes"),
    "votes_for": _("for"),
    "votes_against": _("against"),
    "mean_rating": _("mean rating (1 to 5)"),
    "share_of_voters": _("share of voters (%)"),
    "comments": _("comments"),
    "outcome": _("outcome"),
    "projects": _("projects"),
    "participants": _("people who voted"),
}


@dataclass
class PartnerTable(Table):
    """A dashboard table whose headings include the vote's columns."""

    @property
    def headings(self) -> list:
        return [PARTNER_HEADINGS.get(column, column) for column in self.columns]

    @property
    def _shown(self) -> list:
        # The id is for scripts joining the CSV to the exports; the page names the project.
        return [index for index in super()._shown if self.columns[index] != "id"]


def _mode_columns(project: Project) -> list:
    if project.partner_vote_mode == PartnerVoteMode.RATING:
        return ["mean_rating"]
    return ["votes_for", "votes_against"]


def ranking(project: Project) -> PartnerTable:
    """partner_figures.partner_vote_results, best rank first; no rank without a vote."""
    themes = {theme.pk: localized(theme.name) or theme.slug for theme in project.themes.all()}
    outcomes = dict(Outcome.choices)
    extra = _mode_columns(project)
    rows = []
    for row in partner_figures.partner_vote_results(project):
        rows.append(
            [row.rank if row.votes else "", row.id, project.answer_in(row.title).text]
            + [themes.get(row.theme_id, ""), row.votes]
            + [getattr(row, column) if getattr(row, column) is not None else "" for column in extra]
            + [row.turnout_percent if row.turnout_percent is not None else "", row.comments]
            + [str(outcomes.get(row.outcome, row.outcome)) if row.outcome else ""]
        )
    return PartnerTable(
        _("Partner projects: ranking"),
        ["rank", "id", "title", "theme", "votes", *extra, "share_of_voters"]
        + ["comments", "outcome"],
        rows,
    )


def by_theme(project: Project) -> PartnerTable:
    """partner_figures.partner_votes_by_theme: every theme of the project, 0 where none."""
    extra = _mode_columns(project)
    rows = [
        [row["theme"], localized(row["name"]) or row["theme"], row["projects"]]
        + [row["participants"], row["votes"]]
        + [row[column] if row[column] is not None else "" for column in extra]
        for row in partner_figures.partner_votes_by_theme(project)
    ]
    return PartnerTable(
        _("Partner projects: by theme"),
        ["theme", "name", "projects", "participants", "votes", *extra],
        rows,
    )


def by_commune(project: Project) -> PartnerTable:
    """partner_figures.partner_votes_by_commune: the communes of residence with at least
    MIN_GROUP voters; the smaller groups and the voters who gave none said in the note."""
    figures = partner_figures.partner_votes_by_commune(project)
    extra = _mode_columns(project)
    rows = [
        [row["code"], row["name"], row["population"] or "", row["participants"]]
        + [row["per_1000"] if row["per_1000"] is not None else "", row["votes"]]
        + [row[column] if row[column] is not None else "" for column in extra]
        for row in figures["communes"]
    ]
    note = _(
        "Only communes where at least %(min)d people who voted gave it as their commune of "
        "residence. Left out: %(communes)d smaller groups (%(people)d people); "
        "%(not_given)d people gave no commune."
    ) % {
        "min": figures["min_group"],
        "communes": figures["suppressed_communes"],
        "people": figures["suppressed_participants"],
        "not_given": figures["not_given"],
    }
    return PartnerTable(
        _("Partner projects: by commune of residence"),
        ["commune", "name", "population", "participants", "per_1000_inhabitants", "votes"] + extra,
        rows,
        note=note,
    )


def turnout(project: Project) -> PartnerTable:
    """The vote's state and turnout (partner_figures.partner_turnout), as figure/value rows."""
    figures = partner_figures.partner_turnout(project)
    rows = [
        ["vote_state", str(project.partner_vote_state())],
        ["ranking_public", partner_figures.ranking_is_public(project)],
        ["participants", figures["participants"]],
        ["population", figures["population"] or ""],
        ["per_1000_inhabitants", figures["per_1000"] if figures["per_1000"] is not None else ""],
        ["votes", partner_figures.counted_votes(project).count()],
    ]
    return PartnerTable(_("Partner projects: turnout"), ["figure", "value"], rows)


# Each also downloads as /staff/<slug>/dashboard/<name>.csv (staff.views.dashboard).
PARTNER_TABLES = {
    "partner_turnout": turnout,
    "partner_ranking": ranking,
    "partner_themes": by_theme,
    "partner_communes": by_commune,
}


def section(project: Project) -> dict | None:
    """What the dashboard's section shows, or None for a project without partner projects."""
    if not PartnerProject.objects.of_project(project).exists():
        return None
    figures = partner_figures.partner_turnout(project)
    return {
        "state": project.partner_vote_state(),
        "state_label": PartnerVoteState(project.partner_vote_state()).label,
        "mode_label": project.get_partner_vote_mode_display(),
        "ranking_public": partner_figures.ranking_is_public(project),
        "closes_at": project.partner_vote_closes_at,
        "opens_at": project.partner_vote_opens_at,
        "turnout": figures,
        "votes": partner_figures.counted_votes(project).count(),
        "tables": {
            name: build(project)
            for name, build in PARTNER_TABLES.items()
            if name != "partner_turnout"
        },
    }
