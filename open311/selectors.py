"""Open311 reads: the services (a project's themes) and the service requests (its public
reports), and the spec's query parameters turned into a service_requests() call."""

import re
import uuid
from datetime import datetime, time, timedelta

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from contributions.models import PUBLIC_STATUSES, Contribution, Kind, Photo, Project, Theme
from contributions.selectors import PUBLIC_GEOM
from core.errors import DomainError
from open311.serializer import CLOSED_STATUSES

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
OPEN_STATUSES = [s for s in PUBLIC_STATUSES if s not in CLOSED_STATUSES]


def report_services() -> list[tuple[str, Project, Theme]]:
    """(service_code, project, theme): one service per theme of each project taking reports."""
    projects = Project.objects.filter(kinds__contains=[Kind.REPORT]).prefetch_related("themes")
    return [(f"{p.slug}.{t.slug}", p, t) for p in projects for t in p.themes.all()]


def find_service(code: str) -> Theme:
    """The theme (with its project) behind a service_code; DomainError when there is none."""
    project_slug, _dot, theme_slug = code.strip().partition(".")
    theme = (
        Theme.objects.select_related("project__perimeter")
        .filter(project__slug=project_slug, slug=theme_slug, project__kinds__contains=[Kind.REPORT])
        .first()
    )
    if theme is None:
        codes = [service_code for service_code, _project, _theme in report_services()]
        raise DomainError(
            "unknown_service_code",
            _("There is no service %(code)r; the service codes are: %(codes)s.")
            % {"code": code, "codes": ", ".join(codes)},
        )
    return theme


def service_requests(
    *, ids=None, themes=None, statuses=None, start=None, end=None, limit=MAX_REQUESTS
):
    """Public reports, newest first: never an unpublished or hidden one, nor another kind."""
    queryset = (
        Contribution.objects.public()
        .filter(kind=Kind.REPORT)
        .select_related("project", "theme", "commune", "public_commune")
        .annotate(representative=PointOnSurface(PUBLIC_GEOM))
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=Photo.objects.only("id", "contribution", "position"),
                to_attr="ordered_photos",
            )
        )
        .order_by("-created_at", "id")
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    if themes:
        queryset = queryset.filter(theme__in=themes)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if start:
        queryset = queryset.filter(created_at__gte=start)
    if end:
        queryset = queryset.filter(created_at__lte=end)
    return list(queryset[:limit])


def comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_moment(name: str, value: str) -> datetime:
    value = value.strip()
    # An unencoded "+01:00" in a query string arrives as " 01:00".
    value = re.sub(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$", r"\1+\2", value)
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)):
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(
            "invalid_date",
            _("%(name)s is not an ISO 8601 date and time, like 2026-01-31T09:30:00Z.")
            % {"name": name},
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def request_filters(query, *, now=None) -> dict:
    """The GET requests parameters as service_requests() arguments; DomainError when wrong.

    Per the spec, service_request_id overrides every other parameter, and without dates the
    answer covers the most recent 90 days. Other parameters (jurisdiction_id...) are ignored.
    """
    if query.get("service_request_id", "").strip():
        ids = []
        for value in comma_list(query["service_request_id"]):
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                continue  # not an id of ours: it matches nothing
        return {"ids": ids}
    filters = {}
    codes = comma_list(query.get("service_code", ""))
    if codes:
        filters["themes"] = [find_service(code) for code in codes]
    statuses = comma_list(query.get("status", "").lower())
    if statuses:
        unknown = sorted(set(statuses) - {"open", "closed"})
        if unknown:
            raise DomainError(
                "unknown_status",
                _("Unknown status %(unknown)s; use open or closed.")
                % {"unknown": ", ".join(unknown)},
            )
        filters["statuses"] = [
            *(OPEN_STATUSES if "open" in statuses else []),
            *(CLOSED_STATUSES if "closed" in statuses else []),
        ]
    start, end = query.get("start_date", "").strip(), query.get("end_date", "").strip()
    filters["end"] = parse_moment("end_date", end) if end else None
    if start:
        filters["start"] = parse_moment("start_date", start)
    else:
        try:
            latest = filters["end"] or now or timezone.now()
            filters["start"] = latest - timedelta(days=DEFAULT_DAYS)
        except OverflowError:  # an end_date in the first days of year 1: nothing is older
            filters["start"] = None
    return filters
