"""Reads of the staff workspace: the moderation queue, possible duplicates, the dashboard's
figures and the small maps the pages draw."""

import math
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from contributions.models import (
    AbuseReport,
    Channel,
    Comment,
    CommentStatus,
    Contribution,
    Kind,
    ModerationMode,
    Project,
    Status,
    Vote,
)
from core.i18n import localized
from staff.models import AuditEntry, DailyVisit

QUEUE_PAGE = 50
# Below this pg_trgm similarity two texts are not called alike (0.3 is pg_trgm's own default
# threshold; a little above it keeps unrelated short titles out).
SIMILARITY = 0.35

# ------------------------------------------------------------------------- queue


def _never_reviewed():
    return ~Exists(AuditEntry.objects.filter(target_id=OuterRef("pk")))


def contribution_queue(project: Project):
    """What awaits a moderator: items reported by residents first (most reported on top),
    then, oldest first, those awaiting publication and, when the project moderates after
    publication, those published that nobody has reviewed yet."""
    waiting = Q(status=Status.SUBMITTED) | Q(report_count__gt=0)
    if project.moderation == ModerationMode.AFTER:
        waiting |= Q(status=Status.PUBLISHED) & _never_reviewed()
    return (
        Contribution.objects.of_project(project)
        .filter(waiting)
        .select_related("theme", "commune")
        .annotate(spot=PointOnSurface("geom"))
        .order_by(F("report_count").desc(), "created_at", "pk")
    )


def comment_queue(project: Project):
    waiting = Q(status=CommentStatus.SUBMITTED) | Q(report_count__gt=0)
    if project.moderation == ModerationMode.AFTER:
        waiting |= Q(status=CommentStatus.PUBLISHED) & _never_reviewed()
    return (
        Comment.objects.filter(contribution__project=project)
        .filter(waiting)
        .select_related("contribution", "author")
        .annotate(spot=PointOnSurface("contribution__geom"))
        .order_by(F("report_count").desc(), "created_at", "pk")
    )


def open_reports(*, contribution=None, comment=None):
    reports = AbuseReport.objects.filter(reviewed_at__isnull=True).order_by("created_at")
    if comment is not None:
        return reports.filter(comment=comment)
    return reports.filter(contribution=contribution, comment__isnull=True)


# ------------------------------------------------------------- possible duplicates

# Why raw SQL: ST_DWithin on geography (metres anywhere on Earth) after an index-friendly
# bounding-box test, and pg_trgm's similarity(), neither of which the ORM expresses.
_DUPLICATES_SQL = """
    SELECT o.id, o.title, o.status, o.created_at,
           greatest(similarity(o.title, c.title),
                    similarity(o.title || ' ' || o.description,
                               c.title || ' ' || c.description)) AS score,
           ST_Distance(o.geom::geography, c.geom::geography) AS distance_m
    FROM contributions_contribution c
    JOIN contributions_contribution o
      ON o.project_id = c.project_id AND o.id <> c.id
     AND o.status <> 'hidden'
     -- degrees of longitude shrink with latitude: widen the box so it holds the circle.
     AND o.geom && ST_Expand(c.geom, %(distance)s
                 / (111320 * cos(radians(least(abs(ST_Y(ST_Centroid(c.geom))), 80)))))
     AND ST_DWithin(o.geom::geography, c.geom::geography, %(distance)s)
    WHERE c.id = ANY(%(ids)s)
      AND greatest(similarity(o.title, c.title),
                   similarity(o.title || ' ' || o.description,
                              c.title || ' ' || c.description)) >= %(threshold)s
"""


@dataclass
class PossibleDuplicate:
    id: str
    title: str
    status: str
    created_at: object
    score: float
    distance_m: float

    @property
    def status_label(self):
        return Status(self.status).label


def possible_duplicates(contribution: Contribution, *, limit: int = 10):
    """Contributions of the same project within its duplicate distance with similar text,
    most alike first."""
    sql = f"SELECT * FROM ({_DUPLICATES_SQL}) d ORDER BY score DESC, distance_m LIMIT %(limit)s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "ids": [contribution.pk],
                "distance": contribution.project.duplicate_distance_m,
                "threshold": SIMILARITY,
                "limit": limit,
            },
        )
        return [PossibleDuplicate(str(row[0]), *row[1:]) for row in cursor.fetchall()]


def duplicate_counts(project: Project, contribution_ids) -> dict[str, int]:
    """How many possible duplicates each of these contributions has (one query for a page)."""
    ids = [str(pk) for pk in contribution_ids]
    if not ids:
        return {}
    sql = f"""
        SELECT q.id, count(*) FROM contributions_contribution q
        JOIN LATERAL (SELECT 1 FROM ({_DUPLICATES_SQL.replace("= ANY(%(ids)s)", "= q.id")}) d) x
          ON true
        WHERE q.id = ANY(%(ids)s::uuid[]) AND q.project_id = %(project)s
        GROUP BY q.id
    """  # noqa: S608 - fixed fragments; values are bound parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "ids": ids,
                "distance": project.duplicate_distance_m,
                "threshold": SIMILARITY,
                "project": project.pk,
            },
        )
        return {str(pk): n for pk, n in cursor.fetchall()}


# -------------------------------------------------------------------------- maps


@dataclass
class MapFrame:
    """An SVG frame around the project perimeter: lon/lat drawn with x shrunk by cos(lat)
    (an equirectangular view that looks right at the perimeter's latitude)."""

    path: str
    xmin: float
    ymin: float
    xmax: float
    ymax: float
    k: float
    markers: list = field(default_factory=list)

    @property
    def view_box(self):
        pad = (self.ymax - self.ymin) * 0.04
        width = (self.xmax - self.xmin) * self.k + 2 * pad
        height = self.ymax - self.ymin + 2 * pad
        return f"{self.xmin * self.k - pad:.5f} {-self.ymax - pad:.5f} {width:.5f} {height:.5f}"

    @property
    def radius(self):
        return (self.ymax - self.ymin) / 45

    def marker(self, point):
        """SVG coordinates of a lon/lat point."""
        if point is None:
            return None
        return {"x": round(point.x * self.k, 5), "y": round(-point.y, 5)}

    def within(self, point, span_m: float = 4000):
        """A frame zoomed on one point (a few km around it), same perimeter path."""
        half = span_m / 2 / 111_320
        return MapFrame(
            path=self.path,
            xmin=point.x - half / self.k,
            xmax=point.x + half / self.k,
            ymin=point.y - half,
            ymax=point.y + half,
            k=self.k,
        )


def perimeter_frame(project: Project) -> MapFrame:
    # ST_AsSVG writes y as -latitude, which is what an SVG (y downwards) needs.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_AsSVG(ST_SimplifyPreserveTopology(geom, 0.002), 0, 4),
                      ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
               FROM territories_territory WHERE id = %s""",
            [project.perimeter_id],
        )
        path, xmin, ymin, xmax, ymax = cursor.fetchone()
    k = math.cos(math.radians((ymin + ymax) / 2))
    # The path is scaled in the template (transform="scale(k 1)").
    return MapFrame(path=path, xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, k=k)


def map_points(project: Project, *, limit: int = 3000):
    """Where the (non-hidden) contributions are, for the dashboard's small map."""
    return list(
        Contribution.objects.of_project(project)
        .exclude(status=Status.HIDDEN)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("pk")
        .values_list("spot", "theme__colour")[:limit]
    )


# --------------------------------------------------------------------- dashboard


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
    answered = contributions.exclude(answer="").filter(answered_at__isnull=False)
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
               SELECT CASE WHEN author_id IS NOT NULL THEN 'user:' || author_id
                           WHEN email <> '' THEN 'email:' || lower(email)
                           ELSE 'contribution:' || id END AS who
               FROM contributions_contribution WHERE project_id = %(p)s AND status <> 'hidden'
               UNION ALL
               SELECT v.participant FROM contributions_vote v
               JOIN contributions_contribution c ON c.id = v.contribution_id
               WHERE c.project_id = %(p)s AND c.status <> 'hidden'
               UNION ALL
               SELECT CASE WHEN m.author_id IS NOT NULL THEN 'user:' || m.author_id
                           ELSE 'comment:' || m.id END
               FROM contributions_comment m
               JOIN contributions_contribution c ON c.id = m.contribution_id
               WHERE c.project_id = %(p)s AND c.status <> 'hidden' AND m.status <> 'hidden'
           ) people""",
        {"p": project.pk},
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
