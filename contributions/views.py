"""Photo files, served only while their contribution is public."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET

from contributions.models import PUBLIC_STATUSES, Photo

# Shared caches (a proxy, a CDN) keep a photo at most this long: a hidden contribution's photo
# answers 404 here at once, and stops being served from caches within five minutes. After
# that, a cache revalidates with the ETag and gets a bodiless 304 while the photo is public.
PHOTO_CACHE_CONTROL = "public, max-age=300, must-revalidate"


@require_GET
def photo(request, photo_id, size):
    if size not in ("large", "thumbnail"):
        raise Http404
    found = get_object_or_404(
        Photo.objects.select_related("contribution"),
        pk=photo_id,
        contribution__status__in=PUBLIC_STATUSES,
    )
    stored = getattr(found, size)
    etag = _etag(found, size, stored)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = FileResponse(stored.open("rb"), content_type="image/jpeg")
        response["ETag"] = etag
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _etag(found, size, stored) -> str:
    # A photo's file is written once, and rewritten only by the privacy clean-up of metadata
    # (same name, new bytes): its length and modification time tell the versions apart.
    try:
        modified = int(stored.storage.get_modified_time(stored.name).timestamp())
    except NotImplementedError:  # a storage that does not say
        modified = 0
    return f'"{found.pk}-{size}-{stored.size}-{modified}"'
