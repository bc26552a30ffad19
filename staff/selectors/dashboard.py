"""The dashboard's figures: the summary and the breakdowns, each a table that also downloads
as CSV (docs/figures.md)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from contributions.models import (
    Channel,
    Comment,
    CommentStatus,
    Contribution,
    Kind,
    Project,
    Status,
    Vote,
)
from contributions.participants import USER_PREFIX
from core.i18n import localized
from staff.models import DailyVisit


@dataclass
class Table:
    """One downloadable figure: a title, column names and rows."""

    title: str
    columns: list
    rows: list


def counted(project: Project):
    """The contributions the dashboard counts: every one but those hidden by moderation."""
    return Contribution.objects.of_project(project).exclude(status=Status.HIDDEN)


def _scalar(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def summary(project: Project) -> dict:
    contributions = counted(project)
    total = contributions.count()
    answered = contributions.answered()
    votes = Vote.objects.filter(contribution__in=contributions).count()
    comments = (
        Comment.objects.filter(contribution__in=contributions)
        .exclude(status=CommentStatus.HIDDEN)
        .count()
    )
    # Why raw SQL: a median (percentile_cont) and a distinct count over a UNION of three
    # tables; the ORM has neither.
    median_hours = _scalar(
        """SELECT percentile_cont(0.5) WITHIN GROUP (
                      ORDER BY extract(epoch FROM answered_at - created_at) / 3600)
           FROM contributions_contribution
           WHERE project_id = %s AND status <> 'hidden' AND answer <> ''
             AND answered_at IS NOT NULL""",
        [project.pk],
    )
    participants = _scalar(
        """SELECT count(DISTINCT who) FROM (
               SELECT CASE WHEN author_id IS NOT NULL THEN %(user)s || author_id
                           WHEN email <> '' THEN 'email:' || lower(email)
                           ELSE 'contribution:' || id END AS who
               FROM contributions_contribution WHERE project_id = %(p)s AND status <> 'hidden'
               UNION ALL
               SELECT v.participant FROM contributions_vote v
               JOIN contributions_contribution c ON c.id = v.contribution_id
               WHERE c.project_id = %(p)s AND c.status <> 'hidden'
               UNION ALL
               SELECT CASE WHEN m.author_id IS NOT NULL THEN %(user)s || m.author_id
                           ELSE 'comment:' || m.id END
               FROM contributions_comment m
               JOIN contributions_contribution c ON c.id = m.contribution_id
               WHERE c.project_id = %(p)s AND c.status <> 'hidden' AND m.status <> 'hidden'
           ) people""",
        # The same identity as votes use (contributions.participants).
        {"p": project.pk, "user": USER_PREFIX},
    )
    visits = DailyVisit.objects.filter(project=project)
    visit_count = visits.count()
    first_day = visits.order_by("day").values_list("day", flat=True).first()
    online_since = (
        contributions.filter(channel=Channel.ONLINE, created_at__date__gte=first_day).count()
        if first_day
        else 0
    )
    return {
        "contributions": total,
        "target": project.target_contributions,
        "target_share": total / project.target_contributions
        if project.target_contributions
        else None,
        "hidden": Contribution.objects.of_project(project).filter(status=Status.HIDDEN).count(),
        "votes": votes,
        "comments": comments,
        "participants": participants,
        "answered": answered.count(),
        "answered_share": answered.count() / total if total else None,
        "median_hours_to_answer": float(median_hours) if median_hours is not None else None,
        "visits": visit_count,
        "online_contributions_since_counting": online_since,
        "conversion": online_since / visit_count if visit_count else None,
    }


def _share(n, total):
    return round(100 * n / total, 1) if total else 0.0


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
    rows = []
    for code, name, population, n in (
        counted(project)
        .values_list("commune__code", "commune__name", "commune__population")
        .annotate(n=Count("pk"))
        .order_by("-n", "commune__name")
    ):
        per_1000 = round(1000 * n / population, 2) if population else ""
        rows.append([code or "", name or str(_("(no commune)")), population or "", n, per_1000])
    return Table(
        _("By commune"),
        ["commune", "name", "population", "contributions", "per_1000_inhabitants"],
        rows,
    )


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


def visits_by_day(project: Project) -> Table:
    visits = dict(
        DailyVisit.objects.filter(project=project).values_list("day").annotate(n=Count("pk"))
    )
    online = dict(
        counted(project)
        .filter(channel=Channel.ONLINE, created_at__date__in=list(visits))
        .values_list("created_at__date")
        .annotate(n=Count("pk"))
    )
    rows = [
        [day.isoformat(), visits[day], online.get(day, 0), _share(online.get(day, 0), visits[day])]
        for day in sorted(visits)
    ]
    return Table(
        _("Visits by day"), ["day", "visits", "online_contributions", "conversion_percent"], rows
    )


def summary_table(project: Project) -> Table:
    figures = summary(project)
    return Table(_("Summary"), ["figure", "value"], [[k, v] for k, v in figures.items()])


TABLES = {
    "summary": summary_table,
    "kinds": by_kind,
    "themes": by_theme,
    "statuses": by_status,
    "communes": by_commune,
    "channels": by_channel,
    "weeks": over_time,
    "visits": visits_by_day,
}
