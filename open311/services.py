"""Open311 writes: a posted GeoReport v2 form becomes a report through
contributions.services.submit_contribution, so every rule of the project applies (perimeter,
dates, moderation...); the API key says who may post where."""

import math

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from contributions import services as contribution_services
from contributions.models import Channel, Contribution, Kind
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from open311.models import ApiClient, key_digest
from open311.selectors import find_service

TITLE_LENGTH = Contribution._meta.get_field("title").max_length
# A TextField's max_length is not checked by the model: the HTTP layers check it.
DESCRIPTION_LENGTH = Contribution._meta.get_field("description").max_length


def authenticated_client(key: str) -> ApiClient:
    if not key:
        raise DomainError(
            "api_key_required",
            _("Posting a service request needs an api_key; ask the staff of this site for one."),
            status=403,
        )
    client = ApiClient.objects.filter(key_digest=key_digest(key), is_active=True).first()
    if client is None:
        raise DomainError(
            "invalid_api_key",
            _("This api_key is not valid or has been deactivated."),
            status=403,
        )
    return client


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
    return Point(lon, lat, srid=STORAGE_SRID)


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
    submission = contribution_services.Submission(
        kind=Kind.REPORT,
        theme=theme.slug,
        title=title_of(description),
        description=description,
        geometry=geometry,
        email=form.get("email", "").strip(),
        channel=Channel.ONLINE,
    )
    return contribution_services.submit_contribution(project=project, submission=submission)
