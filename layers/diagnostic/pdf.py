"""report.pdf: the report's page laid out on A4 by WeasyPrint, numbered by CSS @page counters.

The HTML is the report's own (report.render), whose figures and logos are data URIs:
WeasyPrint is allowed no other protocol, so rendering fetches nothing. Fonts are the
system's (DejaVu Sans through Pango), so accented French and Italian text is drawn as written.
"""

from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def write_pdf(html: str, path: Path) -> None:
    fetcher = URLFetcher(allowed_protocols=["data"])
    HTML(string=html, url_fetcher=fetcher).write_pdf(str(path))
