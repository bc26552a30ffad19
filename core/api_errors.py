"""One error shape for the whole API: a machine-readable `code`, a sentence, field details."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


class ApiError(APIException):
    """An error with its own code: raise ApiError("outside_perimeter", "…", status=422)."""

    def __init__(
        self, code, detail, *, status_code=status.HTTP_400_BAD_REQUEST, extra=None, headers=None
    ):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = code
        self.extra = extra or {}
        self.headers = headers or {}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = ApiError(
            exc.code, exc.message, status_code=exc.status, extra=exc.extra, headers=exc.headers
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        for name, value in exc.headers.items():
            response[name] = value
        response.data = {"code": exc.error_code, "detail": str(exc.detail), **exc.extra}
    elif isinstance(exc, ValidationError):
        response.data = {
            "code": "invalid",
            "detail": str(_("Some values are missing or not valid.")),
            "fields": exc.detail,
        }
    else:
        # Http404 and PermissionDenied arrive as Django exceptions: DRF's detail has the code.
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"code": getattr(detail, "code", None) or "error", "detail": str(detail)}
    return response
