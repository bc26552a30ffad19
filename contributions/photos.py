"""Safe processing of residents' photo uploads.

Every upload is fully decoded and re-encoded as a fresh JPEG, so nothing from the original
file survives except its pixels: no EXIF (GPS position, camera serial), no XMP, no comments,
and no malformed data aimed at a decoder further down the line.

Decoding is the costly part: a file of a few hundred kB may claim 40 million pixels, and
processing it took about 600 MiB and one to two seconds (bench/photos.py, bench/RESULTS.md).
So the header is read first and the memory the decoder will need is estimated from it, per
format, before any pixel is decoded (`decode_cost`); a file over `MAX_DECODE_BYTES` is
refused. JPEGs decode at a reduced scale (`draft`), every format is shrunk to about the
large size straight after decoding, and conversions run on strips of rows, so no second
full-size copy of the pixels is ever made. Only a few decodes run at once
(contributions/photo_slots.py).

Over 400 lines: reading the header, estimating the cost and shrinking are one idea, the
decode, kept together so that the estimate and what the decoder does stay in step.
"""

import contextlib
import io
import math
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms

from contributions.photo_slots import decode_slot

LARGE_SIDE = 2048
THUMB_SIDE = 400
MAX_BYTES = 10 * 1024 * 1024
# What a phone photo needs: 48 MP sensors write 8064 x 6048 (48.8 Mpx). Checked from the
# header alone, so an oversized image is refused before any pixel is decoded. Pillow's
# global Image.MAX_IMAGE_PIXELS is left untouched: changing it per call would race between
# threads; a deployment that lowers it is obeyed (below).
MAX_PIXELS = 50_000_000
# The most memory decoding one photo may take, estimated from its header (`decode_cost`).
# 224 MiB lets a phone's default HEIC photo through (24.5 Mpx, estimated at 198 MiB: libheif
# cannot decode at a reduced scale); baseline JPEGs up to MAX_PIXELS take 150 MiB at most
# (reduced-scale decoding; 106 for a 48 MP phone photo), 8-bit PNGs reach MAX_PIXELS (RGBA:
# about 47 Mpx), WebP about 13 Mpx, progressive JPEGs 32 to 50 Mpx by chroma sampling.
MAX_DECODE_BYTES = 224 * 1024 * 1024
# A progressive JPEG is decoded once per scan, over the whole image: thousands of tiny scans
# in a small file cost minutes. Encoders write about ten; metadata rarely holds a few more.
MAX_JPEG_SCANS = 100

# Pixels converted and shrunk at a time (whole rows): each copy of a strip is about 4 MB.
STRIP_PIXELS = 1_000_000

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

# Bytes per pixel of Pillow's storage (three-band modes are stored in four bytes).
STORAGE = {"1": 1, "L": 1, "P": 1, "LA": 4, "PA": 4, "RGB": 4, "RGBA": 4, "CMYK": 4}
# WebP, per pixel: libwebp's canvas, the frame Pillow copies out of it and Pillow's image stay
# with the opened image (measured 11.5 bytes); decoding, one more copy (measured 16.0).
WEBP_HELD, WEBP_PEAK = 12, 17
# HEIC, per pixel and sample: libheif's YCbCr planes (by chroma layout) beside its
# interleaved RGB(A) copy, then Pillow's image; samples over 8 bits take two bytes in libheif
# (estimated 8.5 bytes for a phone's 8-bit 4:2:0 photo, measured 7.3; 10-bit: 13, measured 7.8).
HEIF_PLANES = {420: 1.5, 422: 2, 444: 3}

TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


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
    """Check an uploaded photo and return metadata-free JPEGs in two sizes.

    Raises PhotoError for a refused file, and DomainError("photos_busy", 503) when every
    decoding slot stayed taken (contributions/photo_slots.py)."""
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
    image, _cost = open_checked(data, extension)
    with decode_slot():
        large, orientation, icc_profile = _decode_small(image)
        del image  # the full-size pixels go now, before the two sizes are made
        try:
            large.thumbnail((LARGE_SIDE, LARGE_SIDE), Image.Resampling.LANCZOS)
            large = _to_srgb(large, icc_profile)
            if orientation in TRANSPOSE:
                large = large.transpose(TRANSPOSE[orientation])
            thumb = large.copy()
            thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        except Exception as exc:  # a hostile file may break any step of the conversion
            raise _not_an_image() from exc
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


# -- The header: what decoding will cost, before it starts ------------------------------------


def open_checked(data: bytes, extension: str) -> tuple[Image.Image, int]:
    """Opens the file (its header only) and returns it with its estimated decoding cost in
    bytes (`decode_cost`), or raises PhotoError when it is not a photo we decode."""
    allowed = {"JPEG", "PNG", "WEBP"} | ({"HEIF"} if _heif_available() else set())
    try:
        # Only the decoders a photo needs: no exotic formats reach Pillow's other plugins.
        # Pillow warns (DecompressionBombWarning) past its own limit; the check below refuses
        # instead, without warnings.catch_warnings(), which is not safe across threads.
        image = Image.open(io.BytesIO(data), formats=sorted(allowed))
    except Image.DecompressionBombError as exc:
        raise _bomb() from exc
    except Exception as exc:  # malformed input can make a parser raise almost anything
        raise _not_an_image() from exc
    pixels = image.width * image.height
    if pixels > MAX_PIXELS or (Image.MAX_IMAGE_PIXELS and pixels > Image.MAX_IMAGE_PIXELS):
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
    # A camera's multi-picture JPEG (MPO) keeps its first picture; an animation is no photo.
    if image.format in ("PNG", "WEBP") and getattr(image, "n_frames", 1) > 1:
        raise PhotoError(
            "animated_image",
            _("Animated images cannot be accepted. Please send a still photo."),
        )
    if image.format == "PNG" and data[24:25] == b"\x10":  # IHDR's bit depth
        raise _sixteen_bits()
    if image.mode not in STORAGE:
        raise _sixteen_bits() if image.mode.startswith("I") else _not_an_image()
    full_size = image.size
    if image.format in ("JPEG", "MPO"):
        if data.count(b"\xff\xda") > MAX_JPEG_SCANS:  # start-of-scan markers
            raise PhotoError(
                "decompression_bomb",
                _(
                    "This JPEG is stored in too many passes to be processed. "
                    "Please save it again as a standard JPEG."
                ),
            )
        # Decode at the smallest scale (1/2, 1/4, 1/8) that still covers the large size.
        try:
            image.draft("RGB", _fitted(image.size, LARGE_SIDE))
        except Exception as exc:
            raise _not_an_image() from exc
    cost = decode_cost(image, full_size)
    if cost > MAX_DECODE_BYTES:
        raise _bomb()
    return image, cost


def decode_cost(image: Image.Image, full_size: tuple[int, int]) -> int:
    """Bytes processing this opened (not yet loaded) image takes at its peak, estimated from
    its header. Three moments, the costliest counts: decoding (the decoder's own buffers
    beside Pillow's image), shrinking (the image beside its shrunk copy) and finishing (the
    shrunk image beside the two sizes made from it). `full_size` is the size before a
    JPEG's draft. tests/contributions/test_photo_limits.py checks it against the real peak."""
    width, height = image.size  # after a JPEG's draft: the reduced size
    pixels = width * height
    held = pixels * STORAGE[image.mode]
    decoding = held
    if image.format == "WEBP":
        held, decoding = pixels * WEBP_HELD, pixels * WEBP_PEAK
    elif image.format == "HEIF":
        sample = 2 if image.info.get("bit_depth", 8) > 8 else 1
        alpha = "A" in image.mode
        planes = HEIF_PLANES.get(image.info.get("chroma"), 3) + alpha
        decoding = math.ceil(pixels * sample * (planes + 3 + alpha)) + held
    elif image.format in ("JPEG", "MPO") and image.info.get("progressive"):
        # A progressive JPEG is kept as DCT coefficients (2 bytes each) for the whole image,
        # at full scale whatever the draft, until its last scan is read.
        decoding += _jpeg_coefficient_bytes(image, full_size)
    factor = _shrink_factor(image)
    shrunk_size = (math.ceil(width / factor), math.ceil(height / factor))
    if _converts_in_strips(image):
        shrunk = shrunk_size[0] * shrunk_size[1] * 4
        shrinking = held + shrunk + 3 * STRIP_PIXELS * 4  # a strip: cut, made RGBA, flattened
    elif factor > 1:
        shrunk = shrunk_size[0] * shrunk_size[1] * STORAGE[image.mode]
        shrinking = held + shrunk
    else:  # used as it is
        shrunk = shrinking = held
    # Lanczos resamples rows then columns: an image as wide as the large size and as tall as
    # the shrunk one, then the large size, its sRGB copy and the thumbnail's first pass.
    large_width, large_height = _fitted(shrunk_size, LARGE_SIDE)
    finishing = shrunk + 4 * large_width * (shrunk_size[1] + 3 * large_height)
    return max(decoding, shrinking, finishing)


def _jpeg_coefficient_bytes(image, full_size) -> int:
    width, height = full_size
    layers = getattr(image, "layer", None) or [(0, 1, 1, 0)] * 4
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    blocks = sum(
        math.ceil(width * h / h_max / 8) * math.ceil(height * v / v_max / 8)
        for _id, h, v, _q in layers
    )
    return blocks * 64 * 2


# -- The decode: full-size pixels, at once shrunk -------------------------------------------


def _decode_small(image: Image.Image):
    """Decodes, then shrinks to at least the large size; returns (image, orientation, ICC)."""
    try:
        image.load()
        orientation = image.getexif().get(ExifTags.Base.Orientation)
        icc_profile = image.info.get("icc_profile")
        return _shrink(image), orientation, icc_profile
    except (Image.DecompressionBombError, MemoryError) as exc:
        raise _bomb() from exc
    except Exception as exc:  # malformed input can make a decoder raise almost anything
        raise _not_an_image() from exc


def _shrink_factor(image: Image.Image) -> int:
    """The whole factor that brings the image closest to, and no smaller than, the large size."""
    target = _fitted(image.size, LARGE_SIDE)
    return max(1, min(image.width // target[0], image.height // target[1]))


def _converts_in_strips(image: Image.Image) -> bool:
    return image.mode not in ("RGB", "L") or image.has_transparency_data


def _shrink(image: Image.Image) -> Image.Image:
    """RGB or L pixels, reduced by a whole factor to no less than the large size (box
    averaging; Lanczos finishes). Transparency is flattened onto white."""
    factor = _shrink_factor(image)
    if not _converts_in_strips(image):
        return image.reduce(factor) if factor > 1 else image
    # A conversion (palette, alpha, CMYK) of the whole image would be a second full-size copy
    # (RGBA: as large as the first): convert and reduce a strip of rows at a time instead.
    out = Image.new("RGB", (math.ceil(image.width / factor), math.ceil(image.height / factor)))
    rows = factor * max(1, STRIP_PIXELS // (image.width * factor))
    for top in range(0, image.height, rows):
        strip = image.crop((0, top, image.width, min(image.height, top + rows)))
        if strip.has_transparency_data and strip.mode != "RGBA":
            strip = strip.convert("RGBA")  # palette or colour-key transparency, grey and alpha
        elif strip.mode not in ("RGB", "RGBA", "L"):
            strip = strip.convert("RGB")
        # Reducing (premultiplied) then flattening equals flattening then reducing, on fewer
        # pixels.
        out.paste(_flat_rgb(strip.reduce(factor) if factor > 1 else strip), (0, top // factor))
    return out


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels, transparency flattened onto white."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    # Pasting through its own alpha onto opaque white is compositing onto white, in one pass.
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image)
    return flat


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
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


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size `thumbnail` makes of `size` in a `side` square (never larger than it was)."""
    width, height = size
    scale = min(1, side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image: Image.Image) -> bytes:
    # The JPEG writer copies some entries (e.g. comments) from .info; start from nothing.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


# -- HEIC support and messages ---------------------------------------------------------------


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


def _sixteen_bits() -> PhotoError:
    return PhotoError(
        "unsupported_depth",
        _(
            "This image has 16 bits per colour, which a photo here does not need. "
            "Please save it as an 8-bit JPEG or PNG."
        ),
    )


def _not_an_image() -> PhotoError:
    return PhotoError(
        "not_an_image",
        _("This file could not be read as a photo. It may be damaged or not an image at all."),
    )
