"""Importing responses from a file laid out like the staff export (docs/questionnaire_results.md):
a GeoPackage with the `answers` table and a `q_<code>` layer per map question, or the
answers CSV with its `..._q_<code>.csv` files beside it (geometry as WKT).

Each response goes through submit_response, like an answer given online: every rule is
checked, a refused response writes nothing (one transaction per response), and the refusal is
reported with its line, its code and the service's sentence. The key of an imported response
is `import:<response id>`, so importing the same file twice stores each response once.
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
from django.conf import settings
from django.utils.translation import gettext as _
from shapely import wkt
from shapely.geometry import mapping

from contributions.vocabulary import Channel
from core.errors import DomainError
from core.escaping import FORMULA_STARTS, TEXT_MARK
from core.postgis import STORAGE_SRID
from questionnaires.models import Kind
from questionnaires.services import submit_response
from territories.models import Territory

FIXED = ("response_id", "channel", "language", "submitted", "commune_code")
MAX_ROWS = 200_000
SITE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class ImportFileError(Exception):
    """A file that cannot be read as an export of this questionnaire."""


@dataclass
class Refusal:
    line: int
    code: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    already: int = 0
    refused: list[Refusal] = field(default_factory=list)


def layer_name(question) -> str:
    return "q_" + question.code.replace("-", "_")


def _column(row: dict, code: str):
    # The export names a column after the question's code (hyphens as underscores), with
    # `_answer` appended when the code is one of its own column names.
    name = code.replace("-", "_")
    value = row.get(name, row.get(f"{name}_answer"))
    return None if value is None or value == "" or value != value else value  # NaN: empty


def _value(question, raw):
    if raw is None:
        return None
    text = _unguard(str(raw).strip())
    if question.kind == Kind.MULTI_CHOICE:
        return [value for value in text.split(";") if value]
    if question.kind == Kind.SCALE:
        try:
            return int(float(text))
        except ValueError:
            return text  # refused by the service with its own sentence
    if question.kind == Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


def _unguard(text):
    """A CSV cell without the quote the export puts before a text a spreadsheet would run as
    a formula (core.escaping)."""
    if isinstance(text, str) and text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def read_gpkg(path: Path, questions) -> tuple[list[dict], dict]:
    layers = {name for name, _kind in pyogrio.list_layers(path)}
    if "answers" not in layers:
        raise ImportFileError(
            _("The GeoPackage has no answers table: import the staff export, not the public one.")
        )
    frame = pyogrio.read_dataframe(path, layer="answers", read_geometry=False)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    drawn = {}
    for question in questions:
        if question.is_map and layer_name(question) in layers:
            shapes = pyogrio.read_dataframe(path, layer=layer_name(question))
            if shapes.crs is not None:
                shapes = shapes.to_crs(epsg=STORAGE_SRID)
            drawn[question.code] = [
                (
                    str(r["response_id"]),
                    int(r.get("position") or 0),
                    r["geometry"],
                    r.get("comment"),
                )
                for r in shapes.astype(object).where(shapes.notna(), None).to_dict("records")
            ]
    return rows, drawn


def read_csv(path: Path, questions) -> tuple[list[dict], dict]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    drawn = {}
    stem = path.name.removesuffix(".csv").removesuffix("answers")
    for question in questions:
        beside = path.with_name(f"{stem}{layer_name(question)}.csv")
        if question.is_map and beside.exists():
            with beside.open(encoding="utf-8-sig", newline="") as stream:
                drawn[question.code] = [
                    (
                        r["response_id"],
                        int(r.get("position") or 0),
                        wkt.loads(r["geometry"]) if r.get("geometry") else None,
                        _unguard(r.get("comment")),
                    )
                    for r in csv.DictReader(stream)
                ]
    return rows, drawn


def import_responses(*, questionnaire, path, entered_by, channel=Channel.PAPER) -> ImportReport:
    """Submit every response of the file; see the module's docstring."""
    path = Path(path)
    questions = list(questionnaire.ordered_questions())
    try:
        if path.suffix.lower() == ".gpkg":
            rows, drawn = read_gpkg(path, questions)
        elif path.suffix.lower() == ".csv":
            rows, drawn = read_csv(path, questions)
        else:
            raise ImportFileError(_("Import a GeoPackage (.gpkg) or a CSV file (.csv)."))
    except (OSError, UnicodeDecodeError, csv.Error, pyogrio.errors.DataSourceError) as error:
        raise ImportFileError(_("The file cannot be read: %(error)s") % {"error": error}) from None
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d responses per file.") % {"n": MAX_ROWS})
    shapes = {}
    for code, items in drawn.items():
        for response_id, _position, geometry, comment in sorted(items, key=lambda i: i[:2]):
            item = {"geometry": mapping(geometry) if geometry is not None else None}
            if comment:
                item["comment"] = comment
            shapes.setdefault(response_id, {}).setdefault(code, []).append(item)
    communes = dict(questionnaire.project.perimeter.members.values_list("code", "pk"))
    report = ImportReport()
    for line, row in enumerate(rows, start=2):
        try:
            created = _submit(questionnaire, questions, row, shapes, communes, entered_by, channel)
        except DomainError as error:
            report.refused.append(Refusal(line, error.code, str(error.message)))
            continue
        if created:
            report.created += 1
        else:
            report.already += 1
    return report


def _submit(questionnaire, questions, row, shapes, communes, entered_by, channel) -> bool:
    response_id = str(row.get("response_id") or "").strip()
    if not response_id:
        raise DomainError("missing_response_id", _("The row has no response_id."))
    answers = {}
    for question in questions:
        if question.is_map:
            items = shapes.get(response_id, {}).get(question.code)
            if items:
                answers[question.code] = json.loads(json.dumps(items))
        else:
            value = _value(question, _column(row, question.code))
            if value is not None:
                answers[question.code] = value
    row_channel = str(row.get("channel") or "")
    language = str(row.get("language") or "")
    code = str(row.get("commune_code") or "")
    if code and code not in communes:
        raise DomainError(
            "unknown_commune", _("%(code)s is not a commune of the perimeter.") % {"code": code}
        )
    _response, created = submit_response(
        questionnaire=questionnaire,
        answers=answers,
        client_key=f"import:{response_id}"[:100],
        channel=row_channel if row_channel in Channel.values else channel,
        language=language if language in SITE_LANGUAGES else questionnaire.project.main_language,
        entered_by=entered_by,
        commune=Territory(pk=communes[code]) if code else None,
    )
    return created
