"""report.pdf: the report's page laid out on A4 by WeasyPrint, numbered by CSS @page counters.

The HTML is the report's own (report.render), whose figures and logos are data URIs:
WeasyPrint is allowed no other protocol, so rendering fetches nothing. Fonts are the
system's (DejaVu Sans through Pango), so accented French and Italian text is drawn as written.

WeasyPrint is imported when a PDF is written, not with this module: importing it parses its
default style sheets and logs each step, which every management command would otherwise print.
Importing it also sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES (weasyprint/images.py),
which would let truncated residents' photos through afterwards in the same process; the flag
is put back as it was (the report's images are data URIs of checked figures and logos).
"""

import logging
from pathlib import Path

from PIL import ImageFile

PROGRESS_LOGGER = "weasyprint.progress"


def write_pdf(html: str, path: Path) -> None:
    progress = logging.getLogger(PROGRESS_LOGGER)
    level = progress.level
    progress.setLevel(logging.WARNING)  # its "Step 1 - ..." lines are not for the operator
    try:
        truncated = ImageFile.LOAD_TRUNCATED_IMAGES
        try:
            from weasyprint import HTML
            from weasyprint.urls import URLFetcher
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = truncated

        fetcher = URLFetcher(allowed_protocols=["data"])
        HTML(string=html, url_fetcher=fetcher).write_pdf(str(path))
    finally:
        progress.setLevel(level)
