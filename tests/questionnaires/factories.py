"""A questionnaire for tests: two pages, every kind of question, a condition; texts hostile
in French and plain in the other languages (see tests.factories)."""

import itertools
import uuid

from questionnaires.models import Question, Questionnaire, QuestionPage
from questionnaires.services import submit_response
from tests.factories import hostile

_serial = itertools.count(1)

BUS = [
    {"value": "daily", "label": {"fr": "Tous les jours", "it": "Ogni giorno", "en": "Daily"}},
    {"value": "weekly", "label": {"fr": "Chaque semaine", "it": "Ogni settimana", "en": "Weekly"}},
    {"value": "never", "label": {"fr": "Jamais", "it": "Mai", "en": "Never"}},
]
WHY = [
    {"value": "slow", "label": {"fr": "Trop lent", "it": "Troppo lento", "en": "Too slow"}},
    {"value": "far", "label": {"fr": "Trop loin", "it": "Troppo lontano", "en": "Too far"}},
]


def texts(label):
    return {"fr": hostile(label), "it": f"{label} (it)", "en": f"{label} (en)"}


def make_questionnaire(project, *, slug=None, questions=True, **fields) -> Questionnaire:
    """Published and open by default. With `questions`: page 1 holds bus (single choice), why
    (multi choice shown only if bus is "never"), satisfaction (scale 1-5), age (number
    0-120), name (short text), remarks (long text); page 2 holds unsafe (points, up to 3),
    route (a line up to 20 km), protect (an area up to 5 km², optional)."""
    fields.setdefault("title", texts("questionnaire"))
    fields.setdefault("intro", texts("intro"))
    fields.setdefault("published", True)
    fields.setdefault("allow_anonymous", True)
    questionnaire = Questionnaire.objects.create(
        project=project, slug=slug or f"questionnaire-{next(_serial)}", **fields
    )
    if questions:
        first = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
        second = QuestionPage.objects.create(
            questionnaire=questionnaire, position=1, title=texts("map")
        )
        add = _adder(questionnaire)
        add(first, "bus", "single_choice", required=True, choices=BUS)
        add(
            first,
            "why",
            "multi_choice",
            choices=WHY,
            condition={"question": "bus", "values": ["never"]},
        )
        add(first, "satisfaction", "scale")
        add(first, "age", "number", number_min=0, number_max=120, personal=True)
        add(first, "name", "short_text")
        add(first, "remarks", "long_text")
        add(second, "unsafe", "map_point", max_count=3)
        add(second, "route", "map_line", max_length_m=20_000)
        add(second, "protect", "map_area", max_area_m2=5_000_000)
    return questionnaire


def make_survey(project) -> Questionnaire:
    """The questionnaire "survey" of the hostile-input walk: every kind of question, and a
    point question "where" (its OGC collection is "<project>-q-survey-where")."""
    questionnaire = make_questionnaire(project, slug="survey")
    page = questionnaire.pages.order_by("position").last()
    _adder(questionnaire, start=100)(page, "where", "map_point", max_count=5)
    submit_response(
        questionnaire=questionnaire,
        answers={"bus": "never", "where": [point(7.2620, 43.7030, comment=hostile("where"))]},
        client_key=client_key(),
        language="fr",
    )
    return questionnaire


def _adder(questionnaire, start=0):
    position = itertools.count(start)

    def add(page, code, kind, **fields):
        question = Question(
            questionnaire=questionnaire,
            page=page,
            position=next(position),
            code=code,
            kind=kind,
            text=texts(code),
            **fields,
        )
        question.full_clean()
        question.save()
        return question

    return add


def client_key() -> str:
    return str(uuid.uuid4())


def point(lon, lat, comment=""):
    return {"geometry": {"type": "Point", "coordinates": [lon, lat]}, "comment": comment}


def line(*lonlats, comment=""):
    return {
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in lonlats]},
        "comment": comment,
    }


def area(lon, lat, size=0.005, comment=""):
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"geometry": {"type": "Polygon", "coordinates": [ring]}, "comment": comment}
