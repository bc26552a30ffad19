"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the projects' reports:
thin views over open311.selectors and open311.services, rendered by open311.serializer.

Every endpoint ends in .json or .xml, and both formats come from the same Python data.
"""

import uuid
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from contributions.photo_urls import photo_base
from core import ratelimit
from core.errors import DomainError
from core.input_guard import refuse_nul
from open311 import selectors, services
from open311.serializer import CONTENT_TYPES, error_response, render, request_json, service_json

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this implementation last changed what it serves
READ = ("GET", "HEAD")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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


def read_form(request):
    """The posted form fields: GeoReport v2 clients send them form-encoded."""
    if request.content_type and request.content_type not in FORM_TYPES:
        raise DomainError(
            "unsupported_media_type",
            _("Send the fields form-encoded (application/x-www-form-urlencoded)."),
            status=415,
        )
    try:
        form = request.POST
    except RequestDataTooBig:
        raise DomainError(
            "body_too_large", _("The request body is too large."), status=413
        ) from None
    except (TooManyFieldsSent, MultiPartParserError):
        raise DomainError("malformed_form", _("The form could not be read.")) from None
    refuse_nul(form)  # multipart forms pass core.input_guard unread (it would take the body)
    return form


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
    data = [service_json(*service) for service in selectors.report_services()]
    return render(data, "services", fmt)


@csrf_exempt  # authenticated by its api_key, never by cookies
@open311_view((*READ, "POST"))
def request_list(request, fmt):
    if request.method == "POST":
        form = read_form(request)
        client = services.authenticated_client(form.get("api_key", "").strip())
        ratelimit.check(request, "open311", client=f"key{client.pk}")
        contribution = services.submit_request(form, client=client)
        notice = (
            _("Thank you: your report is published.")
            if contribution.is_public
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
    found = selectors.service_requests(**selectors.request_filters(request.GET))
    photos_url = photo_base(request)
    return render([request_json(c, photos_url) for c in found], "service_requests", fmt)


@open311_view(READ)
def request_detail(request, request_id, fmt):
    try:
        found = selectors.service_requests(ids=[uuid.UUID(request_id)], limit=1)
    except ValueError:
        found = []
    if not found:
        raise DomainError(
            "not_found",
            _("There is no public service request %(id)r.") % {"id": request_id},
            status=404,
        )
    return render([request_json(found[0], photo_base(request))], "service_requests", fmt)
