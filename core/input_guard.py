"""Input refused before any view runs, because no view should have to think about it.

NUL bytes. PostgreSQL refuses a NUL in any text value ("PostgreSQL text fields cannot
contain NUL"), so a NUL that reaches a query is a 500 wherever it lands: a token in an
address, a filter in a query string, a comment posted by a form. No text of this
application may hold one, so it is refused here, once, for the path, the query string
(names and values), form fields and uploaded file names, with 400 and the code `nul_byte`.
A multipart form is read here only for a view that would read it anyway for its CSRF check:
reading one consumes the body, which views exempt from CSRF (the API, Open311, the CSP
report) read themselves. The API reads its bodies, JSON or multipart, through serializers,
whose text fields already refuse NUL (DRF's CharField), as contributions.geojson does for
GeoJSON; Open311 calls `refuse_nul` on the form it reads.

A cookie holding a NUL (a quoted cookie value may write one as \\000) is dropped, as if it
had not been sent: a person does not type cookies, and refusing every request that carries
it would lock the browser out until the cookie expires. This middleware runs before the
session middleware, which looks the session cookie up in the database.

A value a model field refuses (a malformed id) that escapes a view as ValidationError is
bad input too: 400 with the code `invalid_value`, never a 500. The site's own views check
their ids themselves (tests/security/test_hostile_routes.py fails on this code outside the
admin); Django's admin does not always (its "view on site" address with a malformed id).

The admin's `_to_field` given empty makes Django's admin look up a field with no name
(FieldDoesNotExist, a 500): refused with 400 and the code `invalid`.
"""

import logging

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import DomainError

log = logging.getLogger(__name__)

NUL = "\x00"
MULTIPART = "multipart/form-data"
FORM_TYPES = ("application/x-www-form-urlencoded", MULTIPART)


def _holds_nul(params) -> bool:
    return any(NUL in name or any(NUL in value for value in values) for name, values in params)


def _form(request, view):
    """The posted form, or None when there is none, when reading it here would take the body
    from the view (see above), or when it cannot be read (the view then meets the same error
    and answers it in its own format)."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return None
    if request.content_type == MULTIPART and getattr(view, "csrf_exempt", False):
        return None
    try:
        return request.POST, request.FILES
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        return None


def nul_error() -> DomainError:
    return DomainError(
        "nul_byte",
        _("The address or the form contains a NUL character, which no text here may."),
    )


def refuse_nul(form) -> None:
    """For a view exempt from CSRF that reads its own form (Open311): the same refusal."""
    if _holds_nul(form.lists()):
        raise nul_error()


def _nul_refusal():
    error = nul_error()
    return _refusal(error.code, error.message, error.status)


def _empty_to_field():
    return _refusal("invalid", _("_to_field names a field; it cannot be empty."))


def _in_their_language(request, refusal):
    # Before the locale middleware (it runs before sessions): the language is read here.
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        return refusal()


def _refusal(code, detail, status=400):
    return JsonResponse({"code": code, "detail": detail}, status=status)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, value in request.COOKIES.items() if NUL in n + value]:
            del request.COOKIES[name]
        if NUL in request.path_info or _holds_nul(request.GET.lists()):
            return _in_their_language(request, _nul_refusal)
        if request.GET.get("_to_field", None) == "":
            return _in_their_language(request, _empty_to_field)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        form = _form(request, view)
        if form is None:
            return None
        post, files = form
        if _holds_nul(post.lists()) or _holds_nul(_file_names(files)):
            return _nul_refusal()
        if post.get("_to_field", None) == "":
            return _empty_to_field()
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, ValidationError):
            return None
        log.warning("A value refused by a model field escaped a view: %s", request.path)
        return _refusal("invalid_value", _("A value in the address or the form is not valid."))


def _file_names(files):
    return [(name, [upload.name or "" for upload in uploads]) for name, uploads in files.lists()]
