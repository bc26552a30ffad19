"""Photo files, served only while their contribution is public."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from contributions.models import PUBLIC_STATUSES, Photo


@require_GET
def photo(request, photo_id, size):
    if size not in ("large", "thumbnail"):
        raise Http404
    found = get_object_or_404(
        Photo.objects.select_related("contribution"),
        pk=photo_id,
        contribution__status__in=PUBLIC_STATUSES,
    )
    response = FileResponse(getattr(found, size).open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
