"""Where a contribution's photos are served: the address every output builds photo links from."""

# The root URLconf serves `<PHOTO_PATH><id>/<size>.jpg` (contributions.views.photo).
PHOTO_PATH = "photos/"
SIZES = ("large", "thumbnail")


def photo_base(request) -> str:
    """The absolute prefix of photo addresses, for SQL that appends `<id>/<size>.jpg`."""
    return request.build_absolute_uri(f"/{PHOTO_PATH}")
