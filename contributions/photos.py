"""Safe processing of residents' photo uploads.

Every upload is fully decoded and re-encoded as a fresh JPEG, so nothing from the original
file survives except its pixels: no EXIF (GPS position, camera serial), no XMP, no comments,
and no malformed data aimed at a decoder further down the line.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

LARGE_SIDE = 2048
THUMB_SIDE = 400
MAX_BYTES = 10 * 1024 * 1024
# Well below Pillow's own default guard (about 89 Mpx), and checked from the header alone,
# so an oversized image is refused before any pixel is decoded. Pillow's global
# Image.MAX_IMAGE_PIXELS is left untouched: changing it per call would race between threads.
MAX_PIXELS = 40_000_000

JPEG_QUALITY = 85
READ_CHUNK = 1024 * 1024

# Extension -> the Pillow formats such a file may really be. Cameras write multi-picture
# JPEGs, which Pillow reports as MPO.
FAMILIES = {
    ".jpg": {"JPEG", "MPO"},
    ".jpeg": {"JPEG", "MPO"},
    ".png": {"PNG"},
    ".webp": {"WEBP"},
    ".heic": {"HEIF"},
    ".heif": {"HEIF"},
}
HEIF_EXTENSIONS = {".heic", ".heif"}
FORMAT_NAMES = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}


class PhotoError(Exception):
    """A refused upload; ``code`` is for programs, ``message`` is a sentence for a person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProcessedPhoto:
    large: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def process_photo(upload, *, filename: str, max_bytes: int = MAX_BYTES) -> ProcessedPhoto:
    """Check an uploaded photo and return metadata-free JPEGs in two sizes, or raise PhotoError."""
    extension = PurePath(filename or "").suffix.lower()
    if extension not in FAMILIES:
        raise PhotoError(
            "bad_extension",
            _("Please send a photo in JPEG, PNG, WebP or HEIC format (%(allowed)s).")
            % {"allowed": ", ".join(FAMILIES)},
        )
    if extension in HEIF_EXTENSIONS and not _heif_available():
        raise PhotoError(
            "unsupported_format",
            _("HEIC photos cannot be accepted here yet. Please send a JPEG, PNG or WebP photo."),
        )

    data = _read_limited(upload, max_bytes)
    image = _decode(data, extension)
    try:
        image = _to_srgb(image)
    except Exception as exc:  # a hostile file may break any step of the conversion
        raise _not_an_image() from exc

    large = image.copy()
    large.thumbnail((LARGE_SIDE, LARGE_SIDE), Image.Resampling.LANCZOS)
    thumb = large.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        large=_encode(large),
        thumbnail=_encode(thumb),
        width=large.width,
        height=large.height,
        content_type="image/jpeg",
    )


def _read_limited(upload, max_bytes: int) -> bytes:
    # Django may already have read the upload (e.g. to sniff it); start from the beginning.
    if getattr(upload, "seekable", lambda: False)():
        upload.seek(0)
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = upload.read(min(READ_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise PhotoError(
            "photo_too_large",
            _("This photo is too large. Please send a photo of at most %(limit)s MB.")
            % {"limit": _megabytes(max_bytes)},
        )
    return b"".join(chunks)


def _decode(data: bytes, extension: str) -> Image.Image:
    allowed = {"JPEG", "PNG", "WEBP"} | ({"HEIF"} if _heif_available() else set())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoders a photo needs: no exotic formats reach Pillow's other plugins.
            image = Image.open(io.BytesIO(data), formats=sorted(allowed))
            if image.width * image.height > MAX_PIXELS:
                raise _bomb()
            if image.format not in FAMILIES[extension]:
                actual = FORMAT_NAMES.get(image.format, image.format)
                raise PhotoError(
                    "bad_extension",
                    _(
                        "This file is really a %(actual)s image, but its name ends in "
                        "%(extension)s. Please rename it or send it again."
                    )
                    % {"actual": actual, "extension": extension},
                )
            # Let a large JPEG decode at a reduced scale that still covers the large size.
            image.draft("RGB", (LARGE_SIDE, LARGE_SIDE))
            image.load()
            return ImageOps.exif_transpose(image)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb() from exc
    except Exception as exc:  # malformed input can make a decoder raise almost anything
        raise _not_an_image() from exc


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB, transparency flattened onto white."""
    icc_profile = image.info.get("icc_profile")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, "white")
        image.alpha_composite(rgba)
    image = image.convert("RGB")
    if icc_profile:
        # The profile is dropped with the other metadata, so bake it into the pixels first
        # (phones often shoot in Display P3, which looks washed out when read as sRGB).
        # With an unusable or non-RGB profile, the plain conversion is kept.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
    return image


def _encode(image: Image.Image) -> bytes:
    # The JPEG writer copies some entries (e.g. comments) from .info; start from nothing.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _heif_available() -> bool:
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        return False
    _register_heif_opener()
    return True


@cache
def _register_heif_opener() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0") if megabytes >= 1 else f"{megabytes:.2g}"


def _bomb() -> PhotoError:
    return PhotoError(
        "decompression_bomb",
        _("This image has too many pixels to be processed. Please send a smaller photo."),
    )


def _not_an_image() -> PhotoError:
    return PhotoError(
        "not_an_image",
        _("This file could not be read as a photo. It may be damaged or not an image at all."),
    )
