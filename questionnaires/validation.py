"""Checking a response's answers against its questionnaire, before anything is written.

`check_answers` reads the answers as the API receives them, `{code: value}`, a map
question's value being a list of `{"geometry": GeoJSON, "comment": "..."}`, and returns them
cleaned; the first rule broken raises a DomainError (422) naming the question.

Conditions: a question whose condition does not hold for the answers given is hidden, and
an answer to a hidden question is dropped, not refused. A resident who changes an earlier
answer after answering a follow-up (an offline draft replays what was typed) has done
nothing wrong; the hidden answer is simply not kept. An answer to a question the
questionnaire does not have is refused (`unknown_question`).
"""

import math
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils.translation import gettext as _

from contributions.geojson import GeoJSONError, parse_geometry
from contributions.services.submission import check_inside_perimeter
from core.errors import DomainError
from core.postgis import METRIC_SRID
from questionnaires.models import (
    LONG_TEXT_MAX_LENGTH,
    MAP_COMMENT_MAX_LENGTH,
    MAX_MAP_ANSWERS,
    SHORT_TEXT_MAX_LENGTH,
    Kind,
    Question,
)

# A number answer beyond this is a typing accident or an attack, whatever the question says.
NUMBER_LIMIT = 1e12
TEXT_LIMITS = {Kind.SHORT_TEXT: SHORT_TEXT_MAX_LENGTH, Kind.LONG_TEXT: LONG_TEXT_MAX_LENGTH}


@dataclass
class MapItem:
    geometry: GEOSGeometry
    comment: str = ""


@dataclass
class CleanAnswers:
    values: dict = field(default_factory=dict)  # Question -> JSON value
    drawings: dict = field(default_factory=dict)  # Question -> [MapItem]


def refuse(question, code, message, **extra):
    return DomainError(
        code, message, status=422, extra={"question": question.code if question else None, **extra}
    )


def check_answers(questionnaire, questions: list[Question], answers) -> CleanAnswers:
    """The answers cleaned (hidden and empty ones left out), or DomainError."""
    if not isinstance(answers, dict):
        raise DomainError(
            "malformed_answers",
            _("The answers must be an object whose keys are the questions' codes."),
        )
    by_code = {q.code: q for q in questions}
    unknown = [code for code in answers if code not in by_code]
    if unknown:
        raise refuse(
            None,
            "unknown_question",
            _("This questionnaire has no question %(code)s.") % {"code": str(unknown[0])[:60]},
        )
    clean = CleanAnswers()
    given = {}  # code -> cleaned value, for the conditions of later questions
    for question in questions:
        if not is_shown(question, given):
            continue
        raw = answers.get(question.code)
        if question.is_map:
            items = _map_items(questionnaire, question, raw)
            if items:
                clean.drawings[question] = items
                given[question.code] = items
        else:
            value = _value(question, raw)
            if value is not None:
                clean.values[question] = value
                given[question.code] = value
        if question.required and question.code not in given:
            raise refuse(
                question,
                "answer_required",
                _("The question “%(code)s” needs an answer.") % {"code": question.code},
            )
    return clean


def is_shown(question, given: dict) -> bool:
    """Whether the question is asked, given the earlier answers (its condition holds)."""
    condition = question.condition
    if not condition:
        return True
    answer = given.get(condition.get("question"))
    chosen = answer if isinstance(answer, list) else [answer]
    return any(value in condition.get("values", []) for value in chosen)


def _empty(raw) -> bool:
    return raw is None or raw == "" or raw == []


def _value(question, raw):
    if _empty(raw):
        return None
    kind = question.kind
    if kind == Kind.SINGLE_CHOICE:
        if not isinstance(raw, str) or raw not in question.choice_values:
            raise _not_a_choice(question)
        return raw
    if kind == Kind.MULTI_CHOICE:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise _not_a_choice(question)
        if len(set(raw)) != len(raw) or not set(raw) <= set(question.choice_values):
            raise _not_a_choice(question)
        return [v for v in question.choice_values if v in raw]  # in the question's order
    if kind == Kind.SCALE:
        if not _is_int(raw) or not question.scale_min <= raw <= question.scale_max:
            raise refuse(
                question,
                "out_of_scale",
                _("The answer to “%(code)s” is a whole number from %(min)d to %(max)d.")
                % {"code": question.code, "min": question.scale_min, "max": question.scale_max},
            )
        return raw
    if kind == Kind.NUMBER:
        return _number(question, raw)
    return _text(question, raw)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _not_a_choice(question):
    return refuse(
        question,
        "unknown_choice",
        _("The answer to “%(code)s” must be among its choices: %(values)s.")
        % {"code": question.code, "values": ", ".join(question.choice_values)},
    )


def _number(question, raw):
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise refuse(
            question,
            "not_a_number",
            _("The answer to “%(code)s” is a number.") % {"code": question.code},
        )
    low = question.number_min if question.number_min is not None else -NUMBER_LIMIT
    high = question.number_max if question.number_max is not None else NUMBER_LIMIT
    # Compared before any float conversion: a JSON integer may have hundreds of digits.
    finite = isinstance(raw, int) or math.isfinite(raw)
    if not (finite and max(low, -NUMBER_LIMIT) <= raw <= min(high, NUMBER_LIMIT)):
        raise refuse(
            question,
            "number_out_of_range",
            _("The answer to “%(code)s” is a number from %(min)s to %(max)s.")
            % {"code": question.code, "min": f"{low:g}", "max": f"{high:g}"},
        )
    return raw


def _text(question, raw):
    if not isinstance(raw, str):
        raise refuse(
            question,
            "not_a_text",
            _("The answer to “%(code)s” is a text.") % {"code": question.code},
        )
    _refuse_nul(question, raw)
    text = raw.strip()
    limit = TEXT_LIMITS[question.kind]
    if len(text) > limit:
        raise refuse(
            question,
            "text_too_long",
            _("The answer to “%(code)s” has at most %(n)d characters.")
            % {"code": question.code, "n": limit},
        )
    return text or None


def _refuse_nul(question, text):
    if "\x00" in text:
        raise refuse(
            question, "nul_byte", _("The answer contains a NUL character, which no text here may.")
        )


def _map_items(questionnaire, question, raw) -> list[MapItem]:
    if _empty(raw):
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise refuse(
            question,
            "malformed_map_answer",
            _(
                "A map answer is a list of objects, each with a “geometry” and an optional "
                "“comment”."
            ),
        )
    most = min(question.max_count, MAX_MAP_ANSWERS)
    if not question.min_count <= len(raw) <= most:
        raise refuse(
            question,
            "wrong_count",
            _("The question “%(code)s” takes %(min)d to %(max)d drawings on the map.")
            % {"code": question.code, "min": question.min_count, "max": most},
        )
    return [_map_item(questionnaire, question, item) for item in raw]


def _map_item(questionnaire, question, item) -> MapItem:
    try:
        geometry = parse_geometry(item.get("geometry"))
    except GeoJSONError as error:
        raise DomainError(
            error.code, error.message, status=error.status, extra={"question": question.code}
        ) from None
    if geometry.geom_type != question.geometry_type:
        raise refuse(
            question,
            "wrong_geometry_type",
            _("The question “%(code)s” is answered with a %(expected)s, not a %(given)s.")
            % {
                "code": question.code,
                "expected": question.geometry_type,
                "given": geometry.geom_type,
            },
        )
    comment = item.get("comment") or ""
    if not isinstance(comment, str):
        raise refuse(question, "not_a_text", _("A comment on the map is a text."))
    _refuse_nul(question, comment)
    comment = comment.strip()
    if len(comment) > MAP_COMMENT_MAX_LENGTH:
        raise refuse(
            question,
            "text_too_long",
            _("A comment on the map has at most %(n)d characters.") % {"n": MAP_COMMENT_MAX_LENGTH},
        )
    _check_size(question, geometry)
    if question.inside_perimeter:
        try:
            check_inside_perimeter(questionnaire.project, geometry)
        except DomainError as error:
            error.extra["question"] = question.code
            raise
    return MapItem(geometry=geometry, comment=comment)


def _check_size(question, geometry):
    if question.max_length_m is None and question.max_area_m2 is None:
        return
    length_m, area_m2 = measure(geometry)
    if question.max_length_m is not None and length_m > question.max_length_m:
        raise refuse(
            question,
            "line_too_long",
            _("The line is %(length).0f m long; this question accepts at most %(max).0f m.")
            % {"length": length_m, "max": question.max_length_m},
        )
    if question.max_area_m2 is not None and area_m2 > question.max_area_m2:
        raise refuse(
            question,
            "area_too_large",
            _("The area covers %(area).1f ha; this question accepts at most %(max).1f ha.")
            % {"area": area_m2 / 1e4, "max": question.max_area_m2 / 1e4},
        )


def measure(geometry) -> tuple[float, float]:
    """(length m, area m²) in the metric CRS the limits are stated in (raw SQL: a transform
    of a geometry that is not in a table, which the ORM only does through a query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Length(g), ST_Area(g)"
            " FROM (SELECT ST_Transform(ST_GeomFromEWKB(%s), %s) AS g) s",
            [bytes(geometry.ewkb), METRIC_SRID],
        )
        return cursor.fetchone()
