"""Numbers and dates the reader's way, for the report, its figures and the map.

django.utils.formats with the active language: "1 234,5" in French, "1.234,5" in Italian,
"1,234.5" in English; dates in words ("26 novembre 2026"), never an ISO timestamp.
"""

import math

from django.utils import formats, timezone
from django.utils.translation import get_language


def number(value, decimals: int | None = None) -> str:
    """A number as the reader writes it, thousands grouped ("1 234,5" in French)."""
    if value is None:
        return "–"
    if decimals is None and isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def significant(value: float, digits: int = 2) -> str:
    """A positive number rounded to `digits` significant figures, the reader's way."""
    if not value:
        return number(0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    rounded = round(value, decimals)
    if float(rounded).is_integer():
        return number(int(rounded))
    return number(rounded, decimals)


def long_date(moment) -> str:
    """ "26 novembre 2026", "26 novembre 2026", "26 November 2026": a date in words."""
    if moment is None:
        return "–"
    if hasattr(moment, "astimezone"):
        moment = timezone.localtime(moment).date()
    text = formats.date_format(moment, "j F Y")
    # Django's Italian month names are capitalised; in a sentence they are not.
    return text.lower() if (get_language() or "").startswith(("fr", "it")) else text


def month_label(moment) -> str:
    text = formats.date_format(moment, "N Y")
    return text.lower() if (get_language() or "").startswith(("fr", "it")) else text
