"""The moderation queue: what awaits a moderator, narrowed by the queue's filters (each
option with its count), and the open reports on an item."""

from dataclasses import dataclass, fields, replace

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contributions.filters import ContributionFilters, search_text
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
)
from contributions.selectors import filtered_contributions
from core.errors import DomainError
from staff.models import AuditEntry

QUEUE_PAGE = 50


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, as the URL holds them (one value each; "" for any)."""

    commune: str = ""  # official code; staff filter by the exact commune
    theme: str = ""  # slug
    kind: str = ""
    channel: str = ""
    status: str = ""
    q: str = ""  # words of the title or the description, accents and case ignored

    def query(self) -> dict:
        """The non-empty filters, for a link that keeps them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def contribution_filters(self) -> ContributionFilters:
        # The project's one search and commune rules (contributions.selectors), staff side.
        return ContributionFilters(
            kinds=[self.kind] if self.kind else None,
            themes=[self.theme] if self.theme else None,
            statuses=[self.status] if self.status else None,
            commune=self.commune or None,
            text=self.q or None,
        )


FACETS = ("commune", "theme", "kind", "channel", "status")
FACET_LABELS = {
    "commune": gettext_lazy("Commune"),
    "theme": gettext_lazy("Theme"),
    "kind": gettext_lazy("Kind"),
    "channel": gettext_lazy("Channel"),
    "status": gettext_lazy("Status"),
}
NO_FILTERS = QueueFilters()


def _allowed(project: Project, name: str, value: str) -> bool:
    if name == "commune":
        return project.perimeter.members.filter(code=value).exists()
    if name == "theme":
        return project.themes.filter(slug=value).exists()
    return value in {"kind": Kind.values, "channel": Channel.values, "status": Status.values}[name]


def read_queue_filters(project: Project, params) -> tuple[QueueFilters, list[str]]:
    """The filters a queue address asks for, and a sentence for each value it does not know
    (that filter is then left out: a hand-edited or outdated link still opens the queue).
    A search too long to run raises DomainError (400): dropping it would show every item as
    its answer."""
    chosen, ignored = {}, []
    for name in FACETS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if len(value) <= 64 and _allowed(project, name, value):
            chosen[name] = value
        else:
            ignored.append(
                _("The filter “%(name)s” has no value “%(value)s” here; it is left out.")
                % {"name": FACET_LABELS[name], "value": value[:64]}
            )
    q = (params.get("q") or "").strip()
    if q:
        chosen["q"] = search_text(q) or ""
    return QueueFilters(**chosen), ignored


def _never_reviewed():
    return ~Exists(AuditEntry.objects.filter(target_id=OuterRef("pk")))


def _waiting(project: Project, filters: QueueFilters):
    waiting = Q(status=Status.SUBMITTED) | Q(report_count__gt=0)
    if project.moderation == ModerationMode.AFTER:
        waiting |= Q(status=Status.PUBLISHED) & _never_reviewed()
    queryset = filtered_contributions(project, filters.contribution_filters(), public=False)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    return queryset.filter(waiting)


def contribution_queue(project: Project, filters: QueueFilters = NO_FILTERS):
    """What awaits a moderator: items reported by residents first (most reported on top),
    then, oldest first, those awaiting publication and, when the project moderates after
    publication, those published that nobody has reviewed yet; narrowed by `filters`."""
    return (
        _waiting(project, filters)
        .select_related("theme", "commune")
        .annotate(spot=PointOnSurface("geom"))
        .order_by(F("report_count").desc(), "created_at", "pk")
    )


def _labels(project: Project, name: str) -> dict:
    if name == "theme":
        return {theme.slug: str(theme) for theme in project.themes.all()}
    return {
        "kind": dict(Kind.choices),
        "channel": dict(Channel.choices),
        "status": dict(Status.choices),
    }.get(name, {})


def queue_facets(project: Project, filters: QueueFilters) -> list[dict]:
    """Each filter with its options and, for each, how many queued items it would show with
    the other filters kept (the count a person sees is what they get on choosing it)."""
    facets = []
    for name in FACETS:
        others = _waiting(project, replace(filters, **{name: ""})).order_by()
        if name == "commune":
            rows = others.values(value=F("commune__code")).annotate(
                n=Count("pk"), label=Max("commune__name")
            )
        elif name == "theme":
            rows = others.values(value=F("theme__slug")).annotate(n=Count("pk"))
        else:
            rows = others.values(value=F(name)).annotate(n=Count("pk"))
        rows = list(rows)
        labels = _labels(project, name)
        selected = getattr(filters, name)
        counts = {row["value"]: row["n"] for row in rows if row["value"]}
        if name == "commune":
            labels = {row["value"]: row["label"] for row in rows if row["value"]}
            if selected and selected not in labels:
                labels[selected] = (
                    project.perimeter.members.filter(code=selected)
                    .values_list("name", flat=True)
                    .first()
                    or selected
                )
        options = [
            {
                "value": value,
                "label": str(label),
                "count": counts.get(value, 0),
                "selected": value == selected,
            }
            for value, label in labels.items()
            if counts.get(value) or value == selected
        ]
        if name == "commune":
            options.sort(key=lambda option: option["label"])
        facets.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "options": options,
                "total": sum(row["n"] for row in rows),
            }
        )
    return facets


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


def items_of_project(project: Project, contribution_ids, comment_ids):
    """The project's contributions and comments with these ids (titles for a confirmation),
    or DomainError 404 when one is not the project's."""
    contributions = list(
        Contribution.objects.filter(project=project, pk__in=set(contribution_ids)).order_by("title")
    )
    comments = list(
        Comment.objects.filter(contribution__project=project, pk__in=set(comment_ids))
        .select_related("contribution")
        .order_by("created_at")
    )
    if len(contributions) != len(set(contribution_ids)) or len(comments) != len(set(comment_ids)):
        raise DomainError(
            "not_found", _("Some of these items are not in this project."), status=404
        )
    return contributions, comments


def open_reports(*, contribution=None, comment=None):
    reports = AbuseReport.objects.filter(reviewed_at__isnull=True).order_by("created_at")
    if comment is not None:
        return reports.filter(comment=comment)
    return reports.filter(contribution=contribution, comment__isnull=True)
