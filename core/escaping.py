"""Values from outside made safe for where they go: a spreadsheet cell, a log line.

HTML is Django's autoescape (and `html.escape` where a library builds the markup); this module
holds the destinations Django does not know about.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula: a contribution titled `=HYPERLINK(...)` would
become a live link, or worse, in the CSV a member of staff opens. Such a text cell gets a
leading single quote (OWASP's advice), which spreadsheets read as "this is text". Numbers stay
numbers, and so does a text that is only a number (`-12.5`, `+33`): a spreadsheet reads it as
that number, never as a formula. GIS formats (GeoJSON, GeoPackage) keep every text as it is;
only the CSV writers go through here.
"""

import csv
import re

from django.utils.functional import Promise

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The quote a spreadsheet reads as "text follows" and does not show.
TEXT_MARK = "'"
# A plain decimal number, which a spreadsheet reads as a number and never as a formula. Written
# so that Python's `re` and PostgreSQL's regular expressions read it the same way.
PLAIN_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def spreadsheet_cell(value):
    """The value to write in a CSV cell: a text that a spreadsheet would run as a formula
    gets a leading quote; anything else (numbers, dates, None) is returned unchanged."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return TEXT_MARK + value
    return value


def spreadsheet_cell_sql(expression: str) -> tuple[str, list]:
    """The same rule as `spreadsheet_cell` for a text column computed in PostgreSQL (GDAL
    writes those CSVs straight from a query): a SQL fragment with %s placeholders and its
    parameters. NULL stays NULL."""
    fragment = (
        f"CASE WHEN left({expression}, 1) = ANY(%s) AND {expression} !~ %s "
        f"THEN %s || {expression} ELSE {expression} END"
    )
    return fragment, [list(FORMULA_STARTS), f"^({PLAIN_NUMBER})$", TEXT_MARK]


class SpreadsheetWriter:
    """`csv.writer` whose cells go through `spreadsheet_cell`: every CSV the product writes
    is made with it, headers included."""

    def __init__(self, stream, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


# Logs: one record is one line. A control character from outside (CR, LF, escape sequences
# for a terminal) would let the sender write a line of their own into the log.
LOG_VALUE_MAX = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def log_value(value, *, limit: int = LOG_VALUE_MAX) -> str:
    """A value from outside, fit for a log line: control characters written as escapes
    (`\\n`, `\\x1b`), cut to `limit` characters (with "…")."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
