"""Hostile photos: what decoding may cost, how many decode at once, retries, cached copies.

Memory is measured in a child process, as the kernel's high-water mark of its resident
memory (reset just before the photo is processed): Pillow's and the codecs' pixel buffers
are allocated outside Python's allocator, so tracemalloc would not see them.
"""

import io
import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation
from PIL import Image

from contributions import photo_slots, photos
from contributions.models import Contribution, Photo
from contributions.photos import MAX_DECODE_BYTES, PhotoError, open_checked, process_photo
from core.errors import DomainError
from staff.models import Action, ProjectRole, Role
from staff.services import moderation
from tests.contributions.conftest import NICE, point

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/projects/piter-alpimed/contributions/"
MB = 1024 * 1024
# What the child process itself adds around a decode (Python objects, zlib and codec state):
# the estimate covers pixel buffers only.
SLACK = 16 * MB
COLOUR = (40, 120, 200)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# -- Files ------------------------------------------------------------------------------------


def encoded(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def png(width, height, *, bit_depth=8, colour_type=6, pixel=None, palette=None, chunks=()):
    """A PNG of one colour written row by row: a few hundred kB for tens of megapixels."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    if pixel is None:
        pixel = bytes(COLOUR) + b"\xff"
    compressor = zlib.compressobj(1)
    row = b"\0" + pixel * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    for kind, data in chunks:
        out += chunk(kind, data)
    if palette:
        out += chunk(b"PLTE", palette[0]) + chunk(b"tRNS", palette[1])
    return out + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def process(data, filename):
    return process_photo(io.BytesIO(data), filename=filename)


def refused(data, filename, code):
    with pytest.raises(PhotoError) as caught:
        process(data, filename)
    assert caught.value.code == code
    assert caught.value.message.endswith(".")
    return caught.value


# -- Memory: measured in a child process ------------------------------------------------------

CHILD = """
import io, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from django.conf import settings
settings.configure(USE_I18N=False, PHOTO_DECODES=1, PHOTO_DECODES_SHARED=0)
from PIL import Image
from contributions import photo_slots, photos

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

data, extension = Path(sys.argv[1]).read_bytes(), sys.argv[2]
tiny = io.BytesIO()
fmt = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP", ".heic": "HEIF"}[extension]
photos._heif_available()
Image.new("RGB", (64, 48)).save(tiny, fmt)
photos.process_photo(io.BytesIO(tiny.getvalue()), filename="warm" + extension)
_image, cost = photos.open_checked(data, extension)
del _image
Path("/proc/self/clear_refs").write_text("5")
before = status("VmRSS")
result = photos.process_photo(io.BytesIO(data), filename="photo" + extension)
print(json.dumps({"peak": status("VmHWM") - before, "cost": cost, "width": result.width}))
"""


def measured(tmp_path, data, extension):
    sample = tmp_path / f"sample{extension}"
    sample.write_bytes(data)
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(sample), extension, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def heic(width, height, **params):
    photos._heif_available()  # registers the HEIF plugin with Pillow
    return encoded(Image.new("RGB", (width, height), COLOUR), "HEIF", quality=50, **params)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "make", "extension"),
    [
        # Just under the old 40 Mpx cap: about 600 MB before (bench/RESULTS.md).
        ("40 Mpx RGBA PNG", lambda: png(7300, 5479), ".png"),
        (
            "40 Mpx palette PNG with transparency",
            lambda: png(
                7300, 5479, colour_type=3, pixel=b"\0", palette=(bytes(COLOUR) * 2, b"\xff\0")
            ),
            ".png",
        ),
        (
            "48 Mpx phone JPEG",
            lambda: encoded(Image.new("RGB", (8064, 6048), COLOUR), "JPEG"),
            ".jpg",
        ),
        (
            "16 Mpx progressive 4:4:4 JPEG",
            lambda: encoded(
                Image.new("RGB", (4620, 3464), COLOUR), "JPEG", progressive=True, subsampling=0
            ),
            ".jpg",
        ),
        (
            "9 Mpx RGBA WebP",
            lambda: encoded(
                Image.new("RGBA", (3000, 3000), (*COLOUR, 255)), "WEBP", lossless=True, method=0
            ),
            ".webp",
        ),
        ("3 Mpx HEIC", lambda: heic(2000, 1500), ".heic"),
    ],
)
def test_an_accepted_photo_decodes_within_its_estimate_and_the_bound(
    tmp_path, name, make, extension
):
    result = measured(tmp_path, make(), extension)

    assert result["width"] > 0
    assert result["cost"] <= MAX_DECODE_BYTES
    # The header's estimate holds: the real peak stays within it (plus the process' own
    # bookkeeping), so MAX_DECODE_BYTES bounds what one upload costs.
    assert result["peak"] <= result["cost"] + SLACK, (name, result["peak"] / MB)


# -- Refused from the header, before any pixel is decoded -------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        # 16-bit RGBA and 16-bit grey, 8 x 8 pixels: nothing a photo needs.
        (png(8, 8, bit_depth=16, pixel=b"\x10\x00" * 4), "photo.png"),
        (encoded(Image.new("I;16", (8, 8)), "PNG"), "scan.png"),
    ],
)
def test_16_bit_pngs_are_refused(data, filename):
    refused(data, filename, "unsupported_depth")


@pytest.mark.parametrize(
    ("make", "filename", "code"),
    [
        # 40 Mpx of 16-bit RGBA in 0.5 MB (the old code took 610 MiB and 2 s for it).
        (
            lambda: png(7300, 5479, bit_depth=16, pixel=b"\0" * 8),
            "photo.png",
            "unsupported_depth",
        ),
        # Over the pixel cap, under Pillow's own limit.
        (lambda: png(8200, 6200, colour_type=0, pixel=b"\0"), "photo.png", "decompression_bomb"),
        (
            lambda: encoded(Image.new("RGBA", (4000, 4000)), "WEBP", lossless=True, method=0),
            "photo.webp",
            "decompression_bomb",
        ),
    ],
    ids=["16-bit", "over the cap", "webp"],
)
def test_a_refusal_comes_from_the_header_before_any_decoding(monkeypatch, make, filename, code):
    data = make()

    def never(image):
        raise AssertionError("decoded")

    monkeypatch.setattr(photos, "_decode_small", never)

    refused(data, filename, code)


def test_formats_that_cost_too_much_to_decode_are_refused():
    # WebP holds about 17 bytes per pixel while decoding: 16 Mpx is over the bound.
    webp = encoded(Image.new("RGBA", (4000, 4000), (*COLOUR, 255)), "WEBP", lossless=True, method=0)
    assert len(webp) < 1000  # one colour: a bomb in a few bytes
    refused(webp, "photo.webp", "decompression_bomb")

    # A progressive JPEG keeps every DCT coefficient of the full image until its last scan:
    # 36 Mpx at full chroma is 216 MB of them, whatever the reduced scale.
    progressive = encoded(
        Image.new("RGB", (6000, 6000), COLOUR), "JPEG", progressive=True, subsampling=0
    )
    refused(progressive, "photo.jpg", "decompression_bomb")
    # The same pixels as a baseline JPEG decode at an eighth of the scale: accepted.
    baseline = encoded(Image.new("RGB", (6000, 6000), COLOUR), "JPEG")
    assert process(baseline, "photo.jpg").width == 2048


def test_heic_is_refused_over_the_bound(monkeypatch):
    data = heic(640, 480)
    image, cost = open_checked(data, ".heic")
    assert cost >= 640 * 480 * 7  # libheif's planes, its RGB copy, Pillow's image
    monkeypatch.setattr(photos, "MAX_DECODE_BYTES", cost - 1)

    refused(data, "IMG_0001.HEIC", "decompression_bomb")


def test_a_jpeg_in_too_many_scans_is_refused():
    data = encoded(Image.new("RGB", (64, 64), COLOUR), "JPEG", progressive=True)
    # Start-of-scan markers are counted over the file: a real bomb has thousands of scans.
    refused(data + b"\xff\xda" * 101, "photo.jpg", "decompression_bomb")


def animated_png():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    return encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])


def animated_webp():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    return encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:])


def animated_gif():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])


@pytest.mark.parametrize(
    ("make", "filename", "code"),
    [
        (animated_png, "photo.png", "animated_image"),
        (animated_webp, "photo.webp", "animated_image"),
        (animated_gif, "photo.gif", "bad_extension"),
        (animated_gif, "photo.png", "not_an_image"),  # the GIF decoder is never reached
    ],
)
def test_animations_are_refused(make, filename, code):
    assert Image.open(io.BytesIO(make())).n_frames == 2

    refused(make(), filename, code)


def test_a_palette_png_with_transparency_is_flattened_in_strips(monkeypatch):
    # Small strips make the conversion run in many pieces: the seams must not show.
    monkeypatch.setattr(photos, "STRIP_PIXELS", 3000)
    image = Image.new("P", (301, 203), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.paste(1, (150, 0, 301, 203))
    data = encoded(image, "PNG", transparency=0)  # the red half is transparent

    out = Image.open(io.BytesIO(process(data, "sketch.png").large))

    assert out.size == (301, 203)
    assert all(v > 245 for v in out.getpixel((40, 100)))  # white where it was transparent
    assert out.getpixel((250, 100))[2] > 230 and out.getpixel((250, 100))[0] < 20
    assert all(v > 245 for v in out.getpixel((40, 202)))  # the last, partial strip too


def test_a_large_rgba_photo_is_reduced_then_flattened_correctly():
    image = Image.new("RGBA", (6000, 3000), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (3000, 0, 6000, 3000))

    out = Image.open(io.BytesIO(process(encoded(image, "PNG"), "sketch.png").large))

    assert out.size == (2048, 1024)
    assert all(v > 245 for v in out.getpixel((500, 500)))
    red = out.getpixel((1500, 500))
    assert red[0] > 240 and red[1] < 15 and red[2] < 15


# -- How many decode at once ------------------------------------------------------------------


def small_jpeg():
    return encoded(Image.new("RGB", (64, 48), COLOUR), "JPEG")


def concurrency_of(monkeypatch, threads, hold=0.15):
    """Runs `threads` uploads at once; returns the most decodes seen together and errors."""
    lock, now, most, errors = threading.Lock(), [0], [0], []
    decode = photos._decode_small

    def slow_decode(image):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(hold)
        with lock:
            now[0] -= 1
        return decode(image)

    monkeypatch.setattr(photos, "_decode_small", slow_decode)

    def upload():
        try:
            process(small_jpeg(), "photo.jpg")
        except DomainError as error:
            errors.append(error)

    workers = [threading.Thread(target=upload) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return most[0], errors


def test_decodes_in_one_process_are_bounded(settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 2, 0

    most, errors = concurrency_of(monkeypatch, 6)

    assert (most, errors) == (2, [])  # the others waited for a slot, then ran


def test_decodes_across_processes_are_bounded_by_the_shared_cache(settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 8, 1

    most, errors = concurrency_of(monkeypatch, 4)

    assert (most, errors) == (1, [])
    assert cache.get("photos:decoding:0") is None  # every slot given back


def test_a_full_house_answers_503_with_retry_after(settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 1, 0
    monkeypatch.setattr(photo_slots, "DECODE_WAIT", 0.2)

    with photo_slots.decode_slot():  # another upload is being decoded
        started = time.perf_counter()
        with pytest.raises(DomainError) as caught:
            process(small_jpeg(), "photo.jpg")
    waited = time.perf_counter() - started

    error = caught.value
    assert (error.code, error.status, error.headers) == (
        "photos_busy",
        503,
        {"Retry-After": str(photo_slots.RETRY_AFTER)},
    )
    assert error.message.endswith(".")
    assert 0.15 < waited < 2
    assert process(small_jpeg(), "photo.jpg").width == 64  # free again afterwards


def test_a_slot_held_by_another_worker_is_waited_for_and_expires(settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 2, 1
    monkeypatch.setattr(photo_slots, "DECODE_WAIT", 0.2)
    cache.add("photos:decoding:0", "another-worker", timeout=1)  # its lease: 1 s

    with pytest.raises(DomainError, match="seconds"):
        process(small_jpeg(), "photo.jpg")
    time.sleep(1.1)  # that worker died: its lease ran out

    assert process(small_jpeg(), "photo.jpg").width == 64


def test_without_the_shared_cache_the_process_bound_still_holds(settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 1, 4

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(photo_slots.shared_cache, "add", down)
    most, errors = concurrency_of(monkeypatch, 3, hold=0.05)

    assert (most, errors) == (1, [])


# -- Through the API --------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def named(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def post(client, files, **headers):
    return client.post(URL, {"feature": json.dumps(point(*NICE)), "photos": files}, **headers)


@pytest.mark.django_db
def test_a_busy_server_answers_503_and_writes_nothing(client, demo, media, settings, monkeypatch):
    settings.PHOTO_DECODES, settings.PHOTO_DECODES_SHARED = 1, 0
    monkeypatch.setattr(photo_slots, "DECODE_WAIT", 0.1)
    before = Contribution.objects.count()

    with photo_slots.decode_slot():
        response = post(client, [named(small_jpeg(), "p.jpg")], HTTP_IDEMPOTENCY_KEY="busy-1")

    assert response.status_code == 503
    assert response["Retry-After"] == str(photo_slots.RETRY_AFTER)
    assert response.json()["code"] == "photos_busy"
    assert Contribution.objects.count() == before
    # The key was not spent on the refusal: the retry runs for real.
    again = post(client, [named(small_jpeg(), "p.jpg")], HTTP_IDEMPOTENCY_KEY="busy-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again


def same_size_jpegs():
    """Two photos with one name and one length, different bytes (their comments differ)."""
    image = Image.new("RGB", (64, 48), COLOUR)
    first, second = encoded(image, "JPEG", comment=b"AAAA"), encoded(image, "JPEG", comment=b"BBBB")
    assert len(first) == len(second) and first != second
    return first, second


@pytest.mark.django_db
def test_a_reused_key_with_other_photos_is_refused(client, demo, media):
    first, second = same_size_jpegs()
    headers = {"HTTP_IDEMPOTENCY_KEY": "photos-key"}

    created = post(client, [named(first, "IMG_1.jpg")], **headers)
    other = post(client, [named(second, "IMG_1.jpg")], **headers)
    again = post(client, [named(first, "IMG_1.jpg")], **headers)

    assert created.status_code == 201
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == created.json()["id"]
    assert Photo.objects.filter(contribution_id=created.json()["id"]).count() == 1


@pytest.mark.django_db
def test_a_reused_key_with_a_photo_more_or_less_is_refused(client, demo, media):
    first, second = same_size_jpegs()
    headers = {"HTTP_IDEMPOTENCY_KEY": "photos-key-2"}

    assert post(client, [named(first, "a.jpg")], **headers).status_code == 201
    more = post(client, [named(first, "a.jpg"), named(second, "b.jpg")], **headers)
    none = client.post(URL, {"feature": json.dumps(point(*NICE))}, **headers)

    assert (more.status_code, more.json()["code"]) == (422, "idempotency_key_reused")
    assert (none.status_code, none.json()["code"]) == (422, "idempotency_key_reused")


# -- Cached copies of photos ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hidden_contributions_photo_is_gone_and_was_cached_briefly(client, demo, media):
    response = post(client, [named(small_jpeg(), "p.jpg")])
    assert response.status_code == 201
    created = response.json()
    url = created["properties"]["photos"][0]["large"]
    Contribution.objects.filter(pk=created["id"]).update(status="published")

    served = client.get(url)
    assert served.status_code == 200
    directives = dict(
        (part.strip().split("=") + [""])[:2] for part in served["Cache-Control"].split(",")
    )
    assert "public" in directives and int(directives["max-age"]) <= 300
    assert "must-revalidate" in directives
    # A cache revalidates cheaply while the photo is public.
    fresh = client.get(url, HTTP_IF_NONE_MATCH=served["ETag"])
    assert fresh.status_code == 304 and fresh["Cache-Control"] == served["Cache-Control"]

    staff = get_user_model().objects.create_user("photo-moderator", password="x")
    ProjectRole.objects.create(user=staff, project=demo, role=Role.MODERATOR)
    moderation.moderate(
        actor=staff, project=demo, action=Action.HIDE, contribution_ids=[created["id"]]
    )

    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH=served["ETag"]).status_code == 404
    thumbnail = created["properties"]["photos"][0]["thumbnail"]
    assert client.get(thumbnail).status_code == 404
