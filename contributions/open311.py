"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the projects' reports.

Services are a project's themes (for projects taking reports), service requests its public
reports. Every endpoint ends in .json or .xml, and both formats come from the same Python data
through one serializer. Posting goes through services.submit_contribution with an ApiClient
key, so every rule of the project applies (perimeter, dates, moderation...). Errors use the
spec's format, their description starting with the project's machine code: "[code] sentence".
"""

import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import Prefetch
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from contributions import services
from contributions.models import (
    PUBLIC_STATUSES,
    ApiClient,
    Channel,
    Contribution,
    Kind,
    Photo,
    Project,
    Status,
    Theme,
)
from contributions.photo_urls import photo_base
from contributions.selectors import PUBLIC_GEOM
from core import ratelimit
from core.errors import DomainError
from core.i18n import localized

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this implementation last changed what it serves
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml; charset=utf-8"}
WGS84 = 4326
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
TITLE_LENGTH = Contribution._meta.get_field("title").max_length
# A TextField's max_length is not checked by the model: the HTTP layers check it.
DESCRIPTION_LENGTH = Contribution._meta.get_field("description").max_length
CLOSED_STATUSES = [Status.DONE, Status.REJECTED, Status.DUPLICATE]
OPEN_STATUSES = [s for s in PUBLIC_STATUSES if s not in CLOSED_STATUSES]
READ = ("GET", "HEAD")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# --------------------------------------------------------------- serializer

# A list in XML: a container named by its key (or the root), one child per item.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all, even escaped.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def to_xml(data, root: str) -> str:
    element = ET.Element(root)
    _fill(element, data)
    # ElementTree escapes &, < and >; a carriage return is escaped too, or parsers drop it.
    body = ET.tostring(element, encoding="unicode").replace("\r", "&#13;")
    return f'<?xml version="1.0" encoding="utf-8"?>{body}'


def _fill(element, value):
    if isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, XML_ITEMS[element.tag]), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))


def render(data, root: str, fmt: str, *, status: int = 200) -> HttpResponse:
    """The same data as JSON or as XML under `root`; lists become <root><item>... in XML."""
    body = json.dumps(data, ensure_ascii=False) if fmt == "json" else to_xml(data, root)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error_response(error: DomainError, fmt: str) -> HttpResponse:
    description = f"[{error.code}] {error.message}"
    fields = error.extra.get("fields")
    if isinstance(fields, dict):
        details = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in fields.items()
        )
        description = f"{description} ({details})"
    response = render(
        [{"code": error.status, "description": description}], "errors", fmt, status=error.status
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def open311_view(methods):
    """Checks the format and the method; turns every DomainError into the spec's errors."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            fmt = fmt.lower()
            if fmt not in CONTENT_TYPES:
                error = DomainError(
                    "unknown_format",
                    _("There is no format %(fmt)r here; end the address in .json or .xml.")
                    % {"fmt": fmt},
                    status=404,
                )
                return error_response(error, "json")
            if request.method not in methods:
                error = DomainError(
                    "method_not_allowed",
                    _("This address takes %(methods)s.") % {"methods": ", ".join(methods)},
                    status=405,
                )
                response = error_response(error, fmt)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except DomainError as error:
                return error_response(error, fmt)

        return wrapper

    return decorate


# -------------------------------------------------------------------- reads


def w3c(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


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


def service_json(code, project, theme) -> dict:
    return {
        "service_code": code,
        "service_name": localized(theme.name) or theme.slug,
        "description": project.display_title,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": project.display_title,
    }


def service_requests(
    *, ids=None, themes=None, statuses=None, start=None, end=None, limit=MAX_REQUESTS
):
    """Public reports, newest first: never an unpublished or hidden one, nor another kind."""
    queryset = (
        Contribution.objects.public()
        .filter(kind=Kind.REPORT)
        .select_related("project", "theme", "commune")
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


def open311_description(contribution) -> str:
    """The report's text: its description, led by its title unless it already starts so."""
    title, description = contribution.title, contribution.description
    if not description:
        return title
    if description.startswith(title):
        return description
    return f"{title}\n\n{description}"


def request_json(contribution, photos_url: str) -> dict:
    point = contribution.representative
    photos = contribution.ordered_photos
    return {
        "service_request_id": str(contribution.pk),
        "status": "closed" if contribution.status in CLOSED_STATUSES else "open",
        "status_notes": contribution.answer or None,
        "service_name": localized(contribution.theme.name) or contribution.theme.slug,
        "service_code": f"{contribution.project.slug}.{contribution.theme.slug}",
        "description": open311_description(contribution),
        "agency_responsible": contribution.project.display_title,
        "requested_datetime": w3c(contribution.created_at),
        "updated_datetime": w3c(contribution.updated_at),
        "expected_datetime": None,
        "address": "",
        "address_id": "",
        "zipcode": contribution.commune.code if contribution.commune else "",
        "lat": round(point.y, 6),
        "long": round(point.x, 6),
        "media_url": f"{photos_url}{photos[0].id}/large.jpg" if photos else "",
    }


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
        filters["start"] = (filters["end"] or now or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    return filters


# ------------------------------------------------------------------- writes


def authenticated_client(key: str) -> ApiClient:
    if not key:
        raise DomainError(
            "api_key_required",
            _("Posting a service request needs an api_key; ask the staff of this site for one."),
            status=403,
        )
    client = ApiClient.objects.filter(key=key, is_active=True).first()
    if client is None:
        raise DomainError(
            "invalid_api_key",
            _("This api_key is not valid or has been deactivated."),
            status=403,
        )
    return client


def read_form(request):
    """The posted form fields: GeoReport v2 clients send them form-encoded."""
    if request.content_type and request.content_type not in FORM_TYPES:
        raise DomainError(
            "unsupported_media_type",
            _("Send the fields form-encoded (application/x-www-form-urlencoded)."),
            status=415,
        )
    try:
        return request.POST
    except RequestDataTooBig:
        raise DomainError(
            "body_too_large", _("The request body is too large."), status=413
        ) from None
    except (TooManyFieldsSent, MultiPartParserError):
        raise DomainError("malformed_form", _("The form could not be read.")) from None


def read_location(form) -> Point:
    lat, lon = form.get("lat", "").strip(), form.get("long", "").strip()
    if not (lat and lon):
        if form.get("address_string") or form.get("address_id"):
            message = _(
                "This server does not locate addresses: send lat and long (WGS84 decimal "
                "degrees) instead of address_string or address_id."
            )
        else:
            message = _("lat and long are required (WGS84 decimal degrees).")
        raise DomainError("location_required", message)
    try:
        lat, lon = float(lat), float(lon)
    except ValueError:
        raise DomainError(
            "invalid_coordinates", _("lat and long must be decimal numbers, like 43.7030.")
        ) from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(
            "coordinates_out_of_range",
            _("lat must be between -90 and 90 and long between -180 and 180 (WGS84)."),
        )
    return Point(lon, lat, srid=WGS84)


def title_of(description: str) -> str:
    return description.strip().splitlines()[0].strip()[:TITLE_LENGTH].strip()


def submit_request(form, *, client: ApiClient) -> Contribution:
    """A report from a posted GeoReport v2 form; names, media_url and attributes are ignored."""
    code = form.get("service_code", "").strip()
    if not code:
        raise DomainError("service_code_required", _("service_code is required."))
    theme = find_service(code)
    project = theme.project
    if not client.covers(project):
        raise DomainError(
            "api_key_not_allowed",
            _("This api_key may not post to %(project)s.") % {"project": project.display_title},
            status=403,
        )
    geometry = read_location(form)
    description = form.get("description", "").strip()
    if not description:
        raise DomainError("description_required", _("description is required."))
    if len(description) > DESCRIPTION_LENGTH:
        raise DomainError(
            "description_too_long",
            _("description has at most %(n)d characters.") % {"n": DESCRIPTION_LENGTH},
        )
    submission = services.Submission(
        kind=Kind.REPORT,
        theme=theme.slug,
        title=title_of(description),
        description=description,
        geometry=geometry,
        email=form.get("email", "").strip(),
        channel=Channel.ONLINE,
    )
    return services.submit_contribution(project=project, submission=submission)


# -------------------------------------------------------------------- views


@open311_view(READ)
def discovery(request, fmt):
    base = reverse("open311-discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0] + "/"
    contact = getattr(settings, "OPEN311_CONTACT", "") or _("Write to the staff who run this site.")
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _("The staff of this site create API keys in its administration."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(base),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, "discovery", fmt)


@open311_view(READ)
def service_list(request, fmt):
    data = [service_json(*service) for service in report_services()]
    return render(data, "services", fmt)


@csrf_exempt  # authenticated by its api_key, never by cookies
@open311_view((*READ, "POST"))
def request_list(request, fmt):
    if request.method == "POST":
        form = read_form(request)
        client = authenticated_client(form.get("api_key", "").strip())
        ratelimit.check(request, "open311", client=f"key{client.pk}")
        contribution = submit_request(form, client=client)
        published = contribution.is_public
        notice = (
            _("Thank you: your report is published.")
            if published
            else _("Thank you: your report will be published once a moderator has read it.")
        )
        data = [
            {
                "service_request_id": str(contribution.pk),
                "service_notice": notice,
                "account_id": None,
            }
        ]
        response = render(data, "service_requests", fmt, status=201)
        response["Location"] = request.build_absolute_uri(
            reverse("open311-request", kwargs={"request_id": contribution.pk, "fmt": fmt})
        )
        return response
    found = service_requests(**request_filters(request.GET))
    photos_url = photo_base(request)
    return render([request_json(c, photos_url) for c in found], "service_requests", fmt)


@open311_view(READ)
def request_detail(request, request_id, fmt):
    try:
        found = service_requests(ids=[uuid.UUID(request_id)], limit=1)
    except ValueError:
        found = []
    if not found:
        raise DomainError(
            "not_found",
            _("There is no public service request %(id)r.") % {"id": request_id},
            status=404,
        )
    return render([request_json(found[0], photo_base(request))], "service_requests", fmt)
