"""The public pages: the project page's counter, its list page, the home page's counter."""

import re

from tests.consistency.outputs.common import body, number, only, query, used
from tests.consistency.truth import Figures


def page_counter(client, project, filters):
    if used(filters):
        return None  # the page's counter is the project's total
    html = body(client.get(f"/fr/p/{project.slug}/")).decode()
    return Figures(number(re.search(r'<progress id="progress"[^>]* value="([^"]+)"', html)[1]))


def list_page(client, project, filters):
    if not only(filters, "kinds", "themes", "statuses", "commune", "text"):
        return None  # its form's fields: kind, theme, status, commune, q
    html = body(client.get(f"/fr/p/{project.slug}/list/", query(filters))).decode()
    return Figures(number(re.search(r'<p role="status">([^<]+)</p>', html)[1]))


def home_counter(client, project, filters):
    if used(filters):
        return None  # each open project's total
    html = body(client.get("/fr/")).decode()
    card = re.search(
        rf'href="/fr/p/{project.slug}/".*?<progress [^>]*value="([^"]+)"', html, re.DOTALL
    )
    return Figures(number(card[1]))
