"""The meeting pack as a page (for a projector, and to print from the browser) and as an A4
PDF written by WeasyPrint (layers.diagnostic.pdf, which fetches nothing but data URIs).

The page links its style sheet (the site's CSP allows no inline style); the PDF has the same
sheet inlined, with the page numbers and running title of the diagnostic report.
"""

import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.i18n import localized
from layers.diagnostic.formatting import long_date, number
from layers.diagnostic.pdf import write_pdf
from layers.diagnostic.report import css_string, page_numbers
from layers.diagnostic.report_data import partners_of
from staff.meeting_pack import maps
from staff.meeting_pack.data import gather
from staff.meeting_pack.request import MAX_PROPOSALS, PackRequest

STYLE_SHEET = "staff/meeting_pack.css"


def context(project, pack: PackRequest, *, for_print: bool, viewer=None) -> dict:
    groups, items = gather(
        project, pack.start, pack.end, notes=pack.staff, limit=MAX_PROPOSALS, viewer=viewer
    )
    for item in items:
        item.map = maps.item_map(project, item)
    title = localized(project.title) or project.slug
    meeting = pack.meeting
    return {
        "project": project,
        "title": title,
        "language": get_language() or "en",
        "for_print": for_print,
        "pack": pack,
        "meeting_title": meeting.title if meeting is not None else "",
        "meeting_date": long_date(meeting.date) if meeting is not None else "",
        "first": long_date(pack.start),
        "last": long_date(pack.end),
        "generated": long_date(timezone.now()),
        "count": number(len(items)),
        "partners": partners_of(project),
        "overview": maps.overview(project, items),
        "groups": groups,
        "items": items,
        "page_numbers": page_numbers(),
        "running_title": css_string(_("Meeting pack: %(title)s") % {"title": title}),
    }


def html(project, pack: PackRequest, *, for_print: bool = False, extra=None, viewer=None) -> str:
    data = context(project, pack, for_print=for_print, viewer=viewer)
    if for_print:
        path = finders.find(STYLE_SHEET)
        # Our own static file, read from the code base: no one's input.
        data["style"] = mark_safe(Path(path).read_text(encoding="utf-8"))  # noqa: S308
    return render_to_string("staff/meeting_pack.html", {**data, **(extra or {})})


def pdf(project, pack: PackRequest, *, viewer=None) -> bytes:
    document = html(project, pack, for_print=True, viewer=viewer)
    with tempfile.TemporaryDirectory(prefix="meeting-pack-") as scratch:
        path = Path(scratch) / "pack.pdf"
        write_pdf(document, path)
        return path.read_bytes()
