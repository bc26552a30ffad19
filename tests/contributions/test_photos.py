"""Photo uploads: what comes out is a clean JPEG, and what is refused is refused for a reason."""

import io
import random
import struct
import sys
import warnings
import zlib

import pytest
from django.utils import translation
from PIL import ExifTags, Image, ImageCms

from contributions.photos import (
    LARGE_SIDE,
    MAX_PIXELS,
    THUMB_SIDE,
    PhotoError,
    ProcessedPhoto,
    process_photo,
)

SERIAL = "SN-4242-SECRET"
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the default language of these settings is French)."""
    with translation.override("en"):
        yield


def encoded(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def noise(width, height, seed=1):
    """Random pixels, so the encoded file is large and every byte of it matters."""
    return Image.frombytes(
        "RGB", (width, height), random.Random(seed).randbytes(width * height * 3)
    )


def decoded(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def process(data, filename="photo.jpg", **kwargs):
    return process_photo(io.BytesIO(data), filename=filename, **kwargs)


def refused(data, filename, code, **kwargs):
    with pytest.raises(PhotoError) as caught:
        process(data, filename, **kwargs)
    assert caught.value.code == code
    assert caught.value.message.endswith(".")  # a sentence for the person who sent the photo
    return caught.value


def close_to(pixel, colour, tolerance=16):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def png_declaring(width, height):
    """A tiny PNG whose header claims the given size: a decompression bomb in a few bytes."""
    data = bytearray(encoded(Image.new("L", (8, 8)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(data[12:29]))
    return bytes(data)


# -- What comes out ----------------------------------------------------------------------------


def test_exif_gps_serial_and_other_metadata_are_removed_and_orientation_applied():
    # Stored landscape, left half red; Orientation 6 means "rotate 90 degrees clockwise to view".
    image = Image.new("RGB", (300, 200), BLUE)
    image.paste(RED, (0, 0, 150, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Acme"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.0)
    gps[ExifTags.GPS.GPSProcessingMethod] = b"ASCII\x00\x00\x00GPS"
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><serial>{SERIAL}</serial></x:xmpmeta>'
    original = encoded(image, "JPEG", exif=exif, xmp=xmp.encode(), comment=f"camera {SERIAL}")

    # The input really carries what must not come out.
    assert SERIAL.encode() in original and b"GPS" in original
    seen = decoded(original).getexif()
    assert seen.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert seen.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] == SERIAL

    result = process(original)

    assert isinstance(result, ProcessedPhoto)
    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (200, 300)
    for data in (result.large, result.thumbnail):
        assert data.startswith(b"\xff\xd8")
        assert b"GPS" not in data and b"Exif" not in data
        assert SERIAL.encode() not in data and b"Acme" not in data
        assert b"adobe:ns:meta" not in data
        out = decoded(data)
        assert out.format == "JPEG" and out.mode == "RGB"
        assert not out.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & out.info.keys()

    large = decoded(result.large)
    assert large.size == (200, 300)
    # The red left half of the stored image is now on top.
    assert close_to(large.getpixel((100, 40)), RED)
    assert close_to(large.getpixel((100, 260)), BLUE)


@pytest.mark.parametrize(
    "icc_profile",
    [ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), b"not a profile"],
)
def test_a_colour_profile_is_applied_then_dropped(icc_profile):
    original = encoded(Image.new("RGB", (64, 48), BLUE), "JPEG", icc_profile=icc_profile)
    assert icc_profile in original

    result = process(original)

    assert icc_profile not in result.large
    out = decoded(result.large)
    assert "icc_profile" not in out.info
    assert close_to(out.getpixel((32, 24)), BLUE)


@pytest.mark.parametrize(
    ("size", "large", "thumbnail"),
    [
        ((4000, 3000), (LARGE_SIDE, 1536), (THUMB_SIDE, 300)),
        ((3000, 4000), (1536, LARGE_SIDE), (300, THUMB_SIDE)),
        ((640, 480), (640, 480), (THUMB_SIDE, 300)),  # never upscaled
        ((120, 80), (120, 80), (120, 80)),
    ],
)
def test_two_sizes_keep_the_aspect_ratio_and_never_upscale(size, large, thumbnail):
    result = process(encoded(Image.new("RGB", size, "green"), "JPEG"))

    assert decoded(result.large).size == large
    assert decoded(result.thumbnail).size == thumbnail
    assert (result.width, result.height) == large


def test_png_transparency_is_flattened_onto_white():
    image = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (50, 0, 100, 50))

    result = process(encoded(image, "PNG"), "map-sketch.PNG")

    out = decoded(result.large)
    assert out.format == "JPEG" and out.mode == "RGB"
    assert close_to(out.getpixel((10, 25)), WHITE)
    assert close_to(out.getpixel((90, 25)), RED)


def test_webp_is_accepted():
    image = Image.new("RGB", (120, 80), BLUE)

    result = process(encoded(image, "WEBP", quality=90), "photo.webp")

    out = decoded(result.large)
    assert out.format == "JPEG" and out.size == (120, 80)
    assert close_to(out.getpixel((60, 40)), BLUE)


def test_a_multi_picture_jpeg_from_a_camera_is_accepted():
    first, second = Image.new("RGB", (120, 80), RED), Image.new("RGB", (120, 80), BLUE)
    data = encoded(first, "MPO", save_all=True, append_images=[second])
    assert decoded(data).format == "MPO"

    out = decoded(process(data, "DSC_0001.JPG").large)
    assert out.size == (120, 80)
    assert close_to(out.getpixel((60, 40)), RED)


def test_upper_case_extension_is_accepted():
    assert process(encoded(noise(64, 48), "JPEG"), "IMG_0001.JPEG").width == 64


def test_an_upload_already_read_is_processed_from_the_start():
    upload = io.BytesIO(encoded(noise(64, 48), "JPEG"))
    upload.read()

    assert process_photo(upload, filename="photo.jpg").width == 64


# -- What is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"Hello, this is a text file and not a photo at all.\n" * 20]
)
def test_a_file_that_is_not_an_image_is_refused(data):
    refused(data, "photo.jpg", "not_an_image")


def test_a_truncated_jpeg_is_refused():
    data = encoded(noise(256, 256), "JPEG", quality=95)

    refused(data[: len(data) // 2], "photo.jpg", "not_an_image")


def test_a_truncated_jpeg_is_refused_after_a_report_pdf_is_written(tmp_path):
    """Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES; the PDF writer
    puts it back, so a process that wrote a diagnostic PDF still refuses truncated photos."""
    from layers.diagnostic.pdf import write_pdf

    write_pdf("<p>Diagnostic</p>", tmp_path / "report.pdf")
    data = encoded(noise(256, 256), "JPEG", quality=95)

    refused(data[: len(data) // 2], "photo.jpg", "not_an_image")


@pytest.mark.parametrize(
    ("fmt", "filename", "actual"),
    [("PNG", "photo.jpg", "PNG"), ("JPEG", "photo.png", "JPEG"), ("WEBP", "photo.jpeg", "WebP")],
)
def test_content_must_match_the_extension(fmt, filename, actual):
    error = refused(encoded(noise(32, 32), fmt), filename, "bad_extension")

    assert actual in error.message


@pytest.mark.parametrize("filename", ["photo.gif", "setup.exe", "photo", "photo.jpg.exe", ""])
def test_other_extensions_are_refused(filename):
    refused(encoded(noise(32, 32), "JPEG"), filename, "bad_extension")


def test_a_gif_named_jpg_is_not_decoded():
    refused(encoded(noise(32, 32), "GIF"), "photo.jpg", "not_an_image")


def test_a_photo_over_the_limit_is_refused():
    data = encoded(noise(200, 200), "JPEG")
    assert len(data) > 1000

    error = refused(data, "photo.jpg", "photo_too_large", max_bytes=1000)
    assert "MB" in error.message
    refused(data, "photo.jpg", "photo_too_large", max_bytes=len(data) - 1)
    assert process(data, max_bytes=len(data)).width == 200


def test_the_default_limit_is_ten_megabytes():
    error = refused(b"\xff" * (10 * 1024 * 1024 + 1), "photo.jpg", "photo_too_large")

    assert "10 MB" in error.message


def test_no_more_than_the_limit_is_read():
    class Endless(io.RawIOBase):
        """An upload that never ends, like a client that keeps sending."""

        given = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"\0" * len(buffer)
            self.given += len(buffer)
            return len(buffer)

    upload = Endless()
    with pytest.raises(PhotoError, match="too large"):
        process_photo(upload, filename="photo.jpg", max_bytes=5000)
    assert upload.given == 5001


@pytest.mark.parametrize(
    "size",
    [
        (20_000, 20_000),  # past Pillow's own limit
        (8_200, 6_200),  # under Pillow's default limit, over ours (a 48 MP phone fits)
    ],
)
def test_a_decompression_bomb_is_refused(size):
    assert size[0] * size[1] > MAX_PIXELS
    limit, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)

    refused(png_declaring(*size), "photo.png", "decompression_bomb")

    # Nothing global was changed on the way.
    assert limit == Image.MAX_IMAGE_PIXELS
    assert warnings.filters == filters


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillows_bomb_warning_is_an_error(monkeypatch):
    # A deployment may lower Pillow's global limit; its warning must refuse, not just warn.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)

    refused(encoded(noise(150, 100), "PNG"), "photo.png", "decompression_bomb")


# -- HEIC --------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["IMG_0001.HEIC", "photo.heif"])
def test_heic_without_pillow_heif_is_unsupported(monkeypatch, filename):
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # makes the import fail

    refused(b"\0\0\0\x18ftypheic", filename, "unsupported_format")


def test_heic_with_pillow_heif_is_converted():
    import pillow_heif  # a dependency: never skipped

    pillow_heif.register_heif_opener()
    data = encoded(Image.new("RGB", (640, 480), BLUE), "HEIF")

    result = process(data, "IMG_0001.heic")

    out = decoded(result.large)
    assert out.format == "JPEG" and out.size == (640, 480)
    assert close_to(out.getpixel((320, 240)), BLUE)
