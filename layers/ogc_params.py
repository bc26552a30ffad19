"""The OGC API's query parameters: datetime, paging, lists, unknown names.

OGC API - Features defines its own parameter syntax (RFC 3339 datetime intervals; bbox,
crs and bbox-crs are read by layers.ogc_crs); the contribution filters themselves are
parsed by contributions.filters.
"""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from contributions.query import MAX_OFFSET
from core.errors import DomainError

MAX_LIMIT = 10_000


def check_params(request, allowed):
    unknown = sorted(set(request.GET) - set(allowed) - {"f"})
    if unknown:
        raise DomainError(
            "unknown_parameter",
            _("Unknown query parameter(s): %(unknown)s.") % {"unknown": ", ".join(unknown)},
        )


def datetime_interval(value):
    """(start, end) from an instant or an interval (open ends as '..' or empty)."""
    parts = value.split("/")
    if len(parts) > 2:
        raise DomainError("invalid_datetime", _("datetime is an instant or start/end."))

    def parse(text):
        if text in ("", ".."):
            return None
        try:
            moment = parse_datetime(text)
        except ValueError:  # well formed but no such date: year 0, February 30
            moment = None
        if moment is None:
            raise DomainError(
                "invalid_datetime",
                _("%(value)s is not an RFC 3339 date-time.") % {"value": text},
            )
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    if len(parts) == 1:
        moment = parse(parts[0])
        return moment, moment
    start, end = parse(parts[0]), parse(parts[1])
    if start and end and start > end:
        raise DomainError("invalid_datetime", _("The interval ends before it starts."))
    return start, end


def paging(request):
    try:
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        raise DomainError("invalid_paging", _("limit and offset are whole numbers.")) from None
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise DomainError(
            "invalid_paging",
            _("limit is 1 to %(max)d and offset 0 or more.") % {"max": MAX_LIMIT},
        )
    return limit, offset


def listed(request, name, allowed):
    values = [v for v in request.GET.get(name, "").split(",") if v]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise DomainError(
            "invalid_filter",
            _("Unknown %(name)s: %(values)s.") % {"name": name, "values": ", ".join(unknown)},
        )
    return values or None
