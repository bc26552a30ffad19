"""The dashboard's figures: the summary and the breakdowns, each a table that also downloads
as CSV (docs/figures.md)."""

from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from contributions import figures
from contributions.figures import counted, percent
from contributions.models import Channel, Kind, Project, Status
from core.i18n import localized
from staff.selectors.visits import visit_figures, visits_by_day
from territories.models import TerritoryKind, TerritoryNow

# What the page (and the spreadsheet CSV) calls each column; the comma CSV keeps the column
# names, which scripts rely on.
HEADINGS = {
    "figure": _("figure"),
    "value": _("value"),
    "kind": _("kind"),
    "theme": _("theme"),
    "status": _("status"),
    "channel": _("channel"),
    "label": _("label"),
    "name": _("name"),
    "commune": _("official code"),
    "population": _("population"),
    "contributions": _("contributions"),
    "percent": _("share (%)"),
    "per_1000_inhabitants": _("per 1,000 inhabitants"),
    "population_year": _("population year"),
    "week": _("week of"),
    "cumulative": _("cumulative"),
    "day": _("day"),
    "visits": _("visits"),
    "contributing_visits": _("visits with a contribution"),
    "sign_ups": _("sign-ups"),
    "visit_to_contribution_percent": _("visit to contribution (%)"),
    "visit_to_sign_up_percent": _("visit to sign-up (%)"),
}

# Columns holding a code that the CSV keeps for scripts and the page shows by its label.
CODE_COLUMNS = {"kind", "theme", "status", "channel"}
# Columns holding an ISO date that the CSV keeps for scripts and the page shows as a date,
# written the reader's way.
DATE_COLUMNS = {"week", "day"}
# Counts large enough to need their thousands grouped on the page ("348 085", "348.085").
GROUPED_COLUMNS = {"population"}


@dataclass
class Table:
    """One downloadable figure: a title, column names and rows."""

    title: str
    columns: list
    rows: list
    note: str = ""

    @property
    def headings(self) -> list:
        return [HEADINGS.get(column, column) for column in self.columns]

    @property
    def _shown(self) -> list:
        """The columns the page shows: a code column (a kind, a theme's slug) is left out
        when its label or name is beside it, so a reader never sees a raw code."""
        return [
            index
            for index, column in enumerate(self.columns)
            if not (column in CODE_COLUMNS and {"label", "name"} & set(self.columns))
        ]

    @property
    def page_headings(self) -> list:
        return [self.headings[index] for index in self._shown]

    @property
    def page_rows(self) -> list:
        dates = {index for index, column in enumerate(self.columns) if column in DATE_COLUMNS}
        grouped = {i for i, column in enumerate(self.columns) if column in GROUPED_COLUMNS}

        def shown(index, value):
            if index in dates and value:
                return date.fromisoformat(value)
            if index in grouped and isinstance(value, int):
                return number_format(value, force_grouping=True)
            return value

        return [[shown(index, row[index]) for index in self._shown] for row in self.rows]


def summary(project: Project) -> dict:
    """Every figure of the summary, by name: the contributions' (contributions/figures.py)
    then the visits' (staff/selectors/visits.py), each computed once."""
    visits = asdict(visit_figures(project))
    visits["visits_counted_since"] = visits.pop("counted_since")
    return {**asdict(figures.summary(project)), **visits}


def _share(n, total):
    return percent(n, total) or 0.0


def by_kind(project: Project) -> Table:
    counts = dict(counted(project).values_list("kind").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        [value, str(label), counts.get(value, 0), _share(counts.get(value, 0), total)]
        for value, label in Kind.choices
    ]
    return Table(_("By kind"), ["kind", "label", "contributions", "percent"], rows)


def by_theme(project: Project) -> Table:
    counts = dict(counted(project).values_list("theme__slug").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        [theme.slug, localized(theme.name), counts.get(theme.slug, 0)]
        for theme in project.themes.all()
    ]
    for row in rows:
        row.append(_share(row[2], total))
    return Table(_("By theme"), ["theme", "name", "contributions", "percent"], rows)


def by_status(project: Project) -> Table:
    counts = dict(counted(project).values_list("status").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        [value, str(label), counts[value], _share(counts[value], total)]
        for value, label in Status.choices
        if value in counts
    ]
    return Table(_("By status"), ["status", "label", "contributions", "percent"], rows)


def by_channel(project: Project) -> Table:
    counts = dict(counted(project).values_list("channel").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        [value, str(label), counts.get(value, 0), _share(counts.get(value, 0), total)]
        for value, label in Channel.choices
    ]
    return Table(_("By channel"), ["channel", "label", "contributions", "percent"], rows)


def by_commune(project: Project) -> Table:
    """Every current commune of the perimeter, with 0 where nothing was said. Counted by the
    commune's official code, so contributions attributed to an older boundary generation of
    the same commune count with it."""
    counts = dict(counted(project).values_list("commune__code").annotate(n=Count("pk")))
    members = project.perimeter.members.communes()
    communes = list(members.values_list("code", "name", "population", "population_year"))
    listed = {row[0] for row in communes}
    others = [code for code in counts if code is not None and code not in listed]
    if others:
        # A commune since left out of the perimeter keeps its contributions in the table,
        # named as its code is now.
        communes += (
            TerritoryNow.objects.filter(kind=TerritoryKind.COMMUNE, code__in=others)
            .order_by("code", "-current_id")
            .distinct("code")
            .values_list("code", "name", "population", "population_year")
        )
    rows = []
    for code, name, population, year in communes:
        n = counts.get(code, 0)
        per_1000 = round(1000 * n / population, 2) if population else ""
        rows.append([code, name, population or "", n, per_1000, (population and year) or ""])
    rows.sort(key=lambda row: (-row[3], row[1]))
    if counts.get(None):
        rows.append(["", str(_("(no commune)")), "", counts[None], "", ""])
    return Table(
        _("By commune"),
        ["commune", "name", "population", "contributions", "per_1000_inhabitants"]
        + ["population_year"],  # last, so the earlier columns keep their place in scripts
        rows,
        note=population_note(members.population_years()),
    )


def population_note(years) -> str:
    """'Population figures: FR 2021, IT 2011', from the data: each country's figures have
    their own reference year (INSEE yearly, ISTAT's last census), never one written here."""
    if not years:
        return ""
    listed = ", ".join(f"{country} {year}" if year else str(country) for country, year in years)
    return _("Per 1,000 inhabitants, with the population of: %(years)s.") % {"years": listed}


def over_time(project: Project) -> Table:
    weekly = (
        counted(project)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    rows, running = [], 0
    for week, n in weekly:
        running += n
        rows.append([week.date().isoformat(), n, running])
    return Table(_("Over time (weeks)"), ["week", "contributions", "cumulative"], rows)


def by_day(project: Project) -> Table:
    """Each day since visits are counted: visits, contributions made that day (any channel,
    for scale), and the visit figures of that day, whose conversions are shares of visits."""
    days = visits_by_day(project)
    contributions = {}
    if days:
        contributions = dict(
            counted(project)
            .filter(created_at__date__gte=min(days))
            .values_list("created_at__date")
            .annotate(n=Count("pk"))
        )
    rows = []
    for day in sorted(set(days) | set(contributions)):
        visits = days.get(day)
        rows.append(
            [
                day.isoformat(),
                visits.visits if visits else 0,
                contributions.get(day, 0),
                visits.contributing_visits if visits else 0,
                visits.sign_ups if visits else 0,
                visits.visit_to_contribution_percent if visits else "",
                visits.visit_to_sign_up_percent if visits else "",
            ]
        )
    return Table(
        _("Visits by day"),
        [
            "day",
            "visits",
            "contributions",
            "contributing_visits",
            "sign_ups",
            "visit_to_contribution_percent",
            "visit_to_sign_up_percent",
        ],
        rows,
    )


def summary_table(project: Project) -> Table:
    rows = [[name, "" if value is None else value] for name, value in summary(project).items()]
    return Table(_("Summary"), ["figure", "value"], rows)


TABLES = {
    "summary": summary_table,
    "kinds": by_kind,
    "themes": by_theme,
    "statuses": by_status,
    "communes": by_commune,
    "channels": by_channel,
    "weeks": over_time,
    "visits": by_day,
}
