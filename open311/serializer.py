"""How Open311 represents things: services and service requests as the spec's fields, and
the same Python data written as JSON or as XML. Errors use the spec's format, their
description starting with the project's machine code: "[code] sentence"."""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from contributions.models import Status
from core.errors import DomainError
from core.i18n import localized

CONTENT_TYPES = {"json": "application/json", "xml": "text/xml; charset=utf-8"}
CLOSED_STATUSES = [Status.DONE, Status.REJECTED, Status.DUPLICATE]

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


# ------------------------------------------------------------- representation


def w3c(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


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


def open311_description(contribution) -> str:
    """The report's text: its description, led by its title unless it already starts so."""
    title, description = contribution.title, contribution.description
    if not description:
        return title
    if description.startswith(title):
        return description
    return f"{title}\n\n{description}"


def public_zipcode(contribution) -> str:
    """The code of the commune the public reads for a contribution: the one of its public
    location when a location rule moved it (`public_commune`, docs/privacy.md)."""
    commune = contribution.public_commune
    return commune.code if commune else ""


def request_json(contribution, photos_url: str) -> dict:
    """A contribution read by selectors.service_requests (its representative point and
    ordered photos annotated) as a GeoReport v2 service request."""
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
        "zipcode": public_zipcode(contribution),
        "lat": round(point.y, 6),
        "long": round(point.x, 6),
        "media_url": f"{photos_url}{photos[0].id}/large.jpg" if photos else "",
    }


# -------------------------------------------------------------------- formats


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
