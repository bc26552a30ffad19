"""Partners' logos, uploaded by staff in the admin for the diagnostic's title page.

An uploaded logo goes through the residents' photo checks (contributions.photos.open_checked:
the file is really the image its name says, a still image, not too many pixels for its
bytes) with a smaller size limit, then is decoded and re-encoded as a fresh PNG no larger
than LOGO_SIDE pixels: nothing of the original file is kept but its pixels (no metadata, no
trailing data, no second format hidden in it), and a logo keeps its transparency.
"""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from contributions.photos import PhotoError, open_checked

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
LOGO_MAX_PIXELS = 16_000_000
LOGO_SIDE = 800


def _read(file) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_LOGO_BYTES + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def _checked(file) -> Image.Image:
    extension = PurePath(getattr(file, "name", "") or "").suffix.lower()
    if extension not in LOGO_EXTENSIONS:
        raise ValidationError(
            _("Please upload a logo in PNG, JPEG or WebP format (%(allowed)s).")
            % {"allowed": ", ".join(LOGO_EXTENSIONS)},
            code="bad_extension",
        )
    data = _read(file)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            _("This logo is too large. Please upload a file of at most %(limit)s MB.")
            % {"limit": MAX_LOGO_BYTES // (1024 * 1024)},
            code="logo_too_large",
        )
    try:
        image, _cost = open_checked(data, extension)
    except PhotoError as error:
        raise ValidationError(error.message, code=error.code) from error
    if image.width * image.height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("This logo has too many pixels. Please upload an image of at most 4000 × 4000."),
            code="decompression_bomb",
        )
    try:
        image.load()
    except Exception as error:  # a hostile file may break the decoder anywhere
        raise ValidationError(
            _("This file could not be read as an image. It may be damaged."), code="not_an_image"
        ) from error
    return image


def validate_logo(file) -> None:
    """The field's validator: refuses what `reencoded` would not accept."""
    _checked(file)


def reencoded(file, *, name: str) -> ContentFile:
    """The logo as a fresh PNG of at most LOGO_SIDE pixels a side, named after `name`."""
    image = _checked(file)
    image = image.convert("RGBA")
    image.thumbnail((LOGO_SIDE, LOGO_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{slugify(name)[:60] or 'logo'}.png")
