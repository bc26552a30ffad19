"""Checking what staff write about a partner project: texts per project language, its place,
its links, and the keys of the rows it points to (contributions.services.partner_projects)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DataError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from contributions.models import Project
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from territories import selectors as territory_selectors

PLACE_TYPES = ("Point", "LineString", "Polygon")
MAX_LINKS = 10
LABEL_MAX_LENGTH = 200
URL_MAX_LENGTH = 500


def check_place(project: Project, geom):
    """A valid point, line or area inside the perimeter (give or take its tolerance)."""
    if geom is None or geom.empty or geom.geom_type not in PLACE_TYPES or not geom.valid:
        raise DomainError(
            "invalid_geometry",
            _("Draw the place as a valid point, line or area (not crossing itself)."),
            status=422,
        )
    if geom.srid is None:
        geom.srid = STORAGE_SRID
    elif geom.srid != STORAGE_SRID:
        geom = geom.transform(STORAGE_SRID, clone=True)
    perimeter = project.perimeter
    if not territory_selectors.covers(perimeter, geom, project.tolerance_m):
        distance = territory_selectors.distance_m(perimeter, geom)
        raise DomainError(
            "outside_perimeter",
            _("This place is outside the %(perimeter)s perimeter, %(distance)s m away from it.")
            % {
                "perimeter": perimeter.name,
                "distance": number_format(round(distance), force_grouping=True),
            },
            status=422,
            extra={"distance_m": round(distance, 1), "perimeter": perimeter.name},
        )
    return geom


def clean_links(links) -> list:
    """[{"url", "label"}], http or https only, at most MAX_LINKS."""
    refused = DomainError(
        "invalid_link",
        _("Give each link as a web address starting with http:// or https://."),
        status=422,
        extra={"field": "links"},
    )
    if links is None:
        return []
    if not isinstance(links, list | tuple) or len(links) > MAX_LINKS:
        raise refused
    cleaned = []
    for link in links:
        if not isinstance(link, dict):
            raise refused
        url, label = link.get("url"), link.get("label") or ""
        if not isinstance(url, str) or not isinstance(label, str):
            raise refused
        url, label = url.strip(), label.strip()
        if not url:
            continue
        parts = urlsplit(url) if len(url) <= URL_MAX_LENGTH and "\x00" not in url else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise refused
        if len(label) > LABEL_MAX_LENGTH or "\x00" in label or any(c in url for c in " <>\"'"):
            raise refused
        cleaned.append({"url": url, "label": label})
    return cleaned


def one_of(queryset, value):
    """The row of `queryset` whose key is `value` (a row or its key), else None; junk keys
    (text that is no key, booleans, huge numbers) find nothing rather than raise."""
    key = getattr(value, "pk", value)
    if key in (None, "") or isinstance(key, bool):
        return None
    try:
        return queryset.filter(pk=key).first()
    except (ValueError, TypeError, ValidationError, DataError):
        return None
