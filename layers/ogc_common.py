"""What every OGC API - Features module answers with: absolute links and JSON errors."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from contributions.models import Project
from core.errors import DomainError


def absolute_url(request, name, *args, **query):
    url = request.build_absolute_uri(reverse(name, args=args))
    return url + ("?" + urlencode(query) if query else "")


def ogc_errors(view):
    """OGC API clients expect JSON errors with a code and a description."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return JsonResponse(
                {"code": error.code, "description": error.message}, status=error.status
            )

    wrapped.__name__ = view.__name__
    return wrapped


def project_of(slug):
    """The project a collection belongs to, with the perimeter its extent is read from."""
    return get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
