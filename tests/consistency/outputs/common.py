"""What the readers share: the filters as query-string values, which filters are used, a
signed-in staff client, counting by commune code."""

import re
from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client

from tests.consistency.seed import ANALYST

FIELDS = (
    "bbox",
    "kinds",
    "themes",
    "statuses",
    "commune",
    "created_after",
    "created_before",
    "text",
)
DATES = ("created_after", "created_before")


def used(filters) -> set[str]:
    """The filters' fields that hold a value."""
    return {name for name in FIELDS if getattr(filters, name)}


def only(filters, *names) -> bool:
    """Whether the filters use no field but these."""
    return used(filters) <= set(names)


def query(filters, *, bbox=True) -> dict:
    """The filters as the HTTP API's query-string values (FilterQuery)."""
    values = {
        "kind": ",".join(filters.kinds or []),
        "theme": ",".join(filters.themes or []),
        "status": ",".join(filters.statuses or []),
        "commune": filters.commune or "",
        "bbox": ",".join(map(str, filters.bbox)) if bbox and filters.bbox else "",
        "created_after": filters.created_after.isoformat() if filters.created_after else "",
        "created_before": filters.created_before.isoformat() if filters.created_before else "",
        "q": filters.text or "",
    }
    return {name: value for name, value in values.items() if value}


def command_options(filters) -> list[str]:
    """The filters as the layer commands' options (kind, theme, status, commune only)."""
    options = []
    for option, values in (
        ("--kind", filters.kinds),
        ("--theme", filters.themes),
        ("--status", filters.statuses),
    ):
        for value in values or []:
            options += [option, value]
    if filters.commune:
        options += ["--commune", filters.commune]
    return options


def inclusive_end(moment) -> str:
    """An exclusive upper bound written as the inclusive one Open311 and OGC API take."""
    return (moment - timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def instant(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def staff_client() -> Client:
    """A client signed in as the seed's analyst (export and dashboard rights)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=ANALYST))
    return client


def ok(response):
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response


def body(response) -> bytes:
    ok(response)
    return b"".join(response.streaming_content) if response.streaming else response.content


def by_code(codes) -> dict:
    """{commune code: count}; '' and None both mean no commune."""
    return dict(Counter(code or None for code in codes))


def rows_by_code(rows) -> dict:
    """{code: count} from (code, count) table rows; a code listed twice (two generations of
    one commune shown apart) is kept apart under '<code> (again)', so it cannot agree."""
    found: dict = {}
    for code, count in rows:
        key = code or None
        while key in found:
            key = f"{key} (again)"
        found[key] = int(count)
    return found


def number(text: str) -> int:
    """An integer as a page prints it (thousands separators of any language)."""
    return int(re.sub(r"[^\d]", "", text))
