"""Decoding a photo: peak memory and time for the costliest file each format lets through.

    .venv/bin/python bench/photos.py [--rounds 3] [--before 90f884d] [--json]

Every sample is a small file (a few hundred kB at most: one colour compresses well) whose
header claims many pixels, the shape of a decompression bomb that stays under the pixel cap.
Each measure runs in a fresh child process, so one case's memory never inflates another's:
the child imports everything, processes a tiny photo of the same format once (libraries and
plugins load outside the measure), reads the sample into memory, resets the kernel's
high-water mark of its resident memory (/proc/self/clear_refs), then processes the sample.
"peak" is the high-water mark minus the resident size just before: what one upload costs.
tracemalloc would not do: Pillow's, libjpeg's, libwebp's and libheif's pixel buffers are
allocated outside Python's allocator, where tracemalloc does not look.

Methods, side by side on the same file:
- before: `contributions/photos.py` as it was at --before (read with `git show`);
- after: `contributions/photos.py` in the working tree;
- pillow: the least Pillow can do for the same output, the reference: open, draft, thumbnail
  to 2048 px, save a JPEG (no orientation, colour profile or transparency handling);
- vips: `vipsthumbnail` (libvips' shrink-on-load) to 2048 px, when it is installed.
"""

import argparse
import contextlib
import importlib.util
import io
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLES = BENCH / "out" / "photos"
BEFORE = "90f884d"  # the last commit before decoding was bounded
METHODS = ("before", "after", "pillow", "vips")
COLOUR = (40, 120, 200)

# name -> (file name, width, height, what it is). The old code's cap was 40 Mpx; the new
# limits are in contributions/photos.py (MAX_PIXELS, MAX_DECODE_BYTES).
CASES = {
    # The costliest of each kind the old code accepted (just under its 40 Mpx cap).
    "png-rgba-40mp": ("rgba.png", 7300, 5479, "PNG, 8-bit RGBA, 40 Mpx"),
    "png-rgba16-40mp": ("rgba16.png", 7300, 5479, "PNG, 16-bit RGBA, 40 Mpx"),
    "png-palette-40mp": ("palette.png", 7300, 5479, "PNG, palette with transparency, 40 Mpx"),
    "jpeg-40mp": ("baseline.jpg", 7300, 5479, "JPEG, baseline 4:2:0, 40 Mpx"),
    "jpeg-prog-40mp": ("progressive.jpg", 7300, 5479, "JPEG, progressive 4:4:4, 40 Mpx"),
    "webp-40mp": ("rgba.webp", 7300, 5479, "WebP, lossless RGBA, 40 Mpx"),
    "heic-40mp": ("big.heic", 7300, 5479, "HEIC, 8-bit 4:2:0, 40 Mpx"),
    # The costliest of each kind the new limits accept, and phones' own sizes.
    "png-rgba-47mp": ("rgba47.png", 7900, 5925, "PNG, 8-bit RGBA, 46.8 Mpx"),
    "png-rgb-50mp": ("rgb50.png", 8160, 6120, "PNG, 8-bit RGB, 49.9 Mpx"),
    "jpeg-48mp": ("phone48.jpg", 8064, 6048, "JPEG, baseline 4:2:0, 48.8 Mpx (48 MP phone)"),
    "jpeg-prog-32mp": ("progressive32.jpg", 6532, 4899, "JPEG, progressive 4:4:4, 32 Mpx"),
    "webp-13mp": ("rgba13.webp", 4240, 3180, "WebP, lossless RGBA, 13.5 Mpx"),
    "heic-24mp": ("phone24.heic", 5712, 4284, "HEIC, 8-bit 4:2:0, 24.5 Mpx (phone default)"),
    "heic-27mp": ("heic27.heic", 6000, 4500, "HEIC, 8-bit 4:2:0, 27 Mpx"),
}


# -- Samples -----------------------------------------------------------------------------------


def _png(path, width, height, *, bit_depth, colour_type, pixel, palette=None):
    """A PNG of one colour, written row by row (never the whole image in memory)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    row = b"\0" + pixel * width
    compressor, idat = zlib.compressobj(9), []
    for _ in range(height):
        idat.append(compressor.compress(row))
    idat.append(compressor.flush())
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header))
        if palette:
            out.write(chunk(b"PLTE", palette[0]) + chunk(b"tRNS", palette[1]))
        out.write(chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b""))


def make_sample(name):
    filename, width, height, _ = CASES[name]
    path = SAMPLES / filename
    if path.exists():
        return path
    SAMPLES.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    rgb = bytes(COLOUR)
    if name.startswith("png-rgba16"):
        pixel = struct.pack(">4H", *(c * 257 for c in COLOUR), 65535)
        _png(path, width, height, bit_depth=16, colour_type=6, pixel=pixel)
    elif name.startswith("png-rgba"):
        _png(path, width, height, bit_depth=8, colour_type=6, pixel=rgb + b"\xff")
    elif name.startswith("png-rgb"):
        _png(path, width, height, bit_depth=8, colour_type=2, pixel=rgb)
    elif name.startswith("png-palette"):
        palette = (rgb + b"\0\0\0", b"\xff\x00")
        _png(path, width, height, bit_depth=8, colour_type=3, pixel=b"\0", palette=palette)
    elif name.startswith("jpeg"):
        progressive = "prog" in name
        Image.new("RGB", (width, height), COLOUR).save(
            path, "JPEG", quality=90, progressive=progressive, subsampling=0 if progressive else 2
        )
    elif name.startswith("webp"):
        Image.new("RGBA", (width, height), (*COLOUR, 255)).save(
            path, "WEBP", lossless=True, method=0
        )
    elif name.startswith("heic"):
        import pillow_heif

        pillow_heif.register_heif_opener()
        Image.new("RGB", (width, height), COLOUR).save(path, "HEIF", quality=60)
    return path


def _tiny(extension):
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()

    fmt = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP", ".heic": "HEIF"}[extension]
    buffer = io.BytesIO()
    Image.new("RGBA" if fmt in ("PNG", "WEBP") else "RGB", (64, 48), COLOUR).save(buffer, fmt)
    return buffer.getvalue()


# -- One measure, in a child process -----------------------------------------------------------


def _resident_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def child(method, sample, before_source):
    sys.path.insert(0, str(ROOT))
    from django.conf import settings

    settings.configure(
        USE_I18N=False,
        PHOTO_DECODES=1,
        PHOTO_DECODES_SHARED=0,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    extension = Path(sample).suffix
    if method == "before":
        spec = importlib.util.spec_from_file_location("photos_before", before_source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        from contributions import photos as module

    def pillow(data, filename):
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (2048, 2048))
        image.thumbnail((2048, 2048))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
        image.thumbnail((400, 400))
        image.convert("RGB").save(io.BytesIO(), "JPEG", quality=85)
        return out.getvalue()

    def run(data, filename):
        if method == "pillow":
            return pillow(data, filename)
        return module.process_photo(io.BytesIO(data), filename=filename)

    run(_tiny(extension), "warm" + extension)
    data = Path(sample).read_bytes()
    estimate = None
    if method == "after":
        with contextlib.suppress(module.PhotoError):
            estimate = module.open_checked(data, extension)[1] / 2**20
    Path("/proc/self/clear_refs").write_text("5")
    resident = _resident_kb("VmRSS")
    start = time.perf_counter()
    try:
        run(data, "sample" + extension)
        outcome = "ok"
    except Exception as error:  # noqa: BLE001 - a refusal is a result here
        outcome = getattr(error, "code", type(error).__name__)
    seconds = time.perf_counter() - start
    peak_kb = _resident_kb("VmHWM") - resident
    print(
        json.dumps(
            {
                "peak_mb": peak_kb / 1024,
                "seconds": seconds,
                "outcome": outcome,
                "estimate": estimate,
            }
        )
    )


def vips(sample):
    """vipsthumbnail in its own process: its whole peak resident size, minus an empty run's."""

    def one(path):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                ["vipsthumbnail", str(path), "--size", "2048", "-o", f"{out}/t.jpg[Q=85]"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            error = proc.stderr.read().decode().strip()
        return usage.ru_maxrss / 1024, seconds, "ok" if status == 0 else error[:60]

    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / f"tiny{Path(sample).suffix}"
        tiny.write_bytes(_tiny(Path(sample).suffix))
        base, _, _ = one(tiny)
    peak, seconds, outcome = one(sample)
    return {"peak_mb": peak - base, "seconds": seconds, "outcome": outcome}


def measure(method, sample, before_source):
    if method == "vips":
        return vips(sample)
    result = subprocess.run(
        [sys.executable, __file__, "--child", method, str(sample), before_source],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"{method} on {sample} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- The table ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", default=BEFORE, help="the commit measured as 'before'")
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    methods = [m for m in args.methods if m != "vips" or _has_vips()]
    old = subprocess.run(
        ["git", "show", f"{args.before}:contributions/photos.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    results = {}
    with tempfile.NamedTemporaryFile("w", suffix=".py") as before_source:
        before_source.write(old)
        before_source.flush()
        for name in args.cases:
            sample = make_sample(name)
            runs = {method: [] for method in methods}
            for _ in range(args.rounds):  # methods alternate, so a noisy moment hits them all
                for method in methods:
                    runs[method].append(measure(method, sample, before_source.name))
            for method in methods:
                results[name, method] = {
                    "peak_mb": statistics.median(r["peak_mb"] for r in runs[method]),
                    "seconds": statistics.median(r["seconds"] for r in runs[method]),
                    "outcome": runs[method][0]["outcome"],
                    "estimate": runs[method][0].get("estimate"),
                }
                print(name, method, results[name, method], file=sys.stderr)
    if args.json:
        print(json.dumps({f"{n}/{m}": r for (n, m), r in results.items()}))
    print(table(args, methods, results))


def _has_vips():
    return subprocess.run(["which", "vipsthumbnail"], capture_output=True).returncode == 0


def table(args, methods, results):
    head = ["case", "file (bytes)"] + [f"{m}: peak MiB / s" for m in methods]
    if "after" in methods:
        head.append("after: estimate (MiB)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in args.cases:
        filename, _, _, what = CASES[name]
        cells = [what, f"{(SAMPLES / filename).stat().st_size:,}"]
        for method in methods:
            r = results[name, method]
            if r["outcome"] == "ok":
                cells.append(f"{r['peak_mb']:.0f} / {r['seconds']:.2f}")
            else:
                cells.append(f"refused `{r['outcome']}` in {r['seconds'] * 1000:.1f} ms")
        if "after" in methods:
            estimate = results[name, "after"]["estimate"]
            cells.append(f"{estimate:.0f}" if estimate is not None else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
