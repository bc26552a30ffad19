"""A questionnaire with answers for the results, exports, OGC, diagnostic and import tests:
a choice question (how people travel), a personal scale, a number, a multiple choice, a
point question with a planted cluster and a line question, answered through the service.

Committed (ogr2ogr and GDAL's OAPIF read through their own connections): `survey` is a
module fixture that removes its questionnaire at the end."""

import random
import uuid

import pytest
from django.contrib.gis.geos import Point

from contributions.models import Contribution
from questionnaires.models import Question, Questionnaire, QuestionPage
from questionnaires.services import submit_response

TRAVEL = ["bus", "car", "never_bus"]
CLUSTER_SIZE = 40
SCATTERED = 30


def _label(text):
    return {"fr": text, "it": text, "en": text}


def build_questionnaire(project, slug="travel-survey"):
    # A run stopped half-way leaves its committed questionnaire behind.
    Questionnaire.objects.filter(project=project, slug=slug).delete()
    questionnaire = Questionnaire.objects.create(
        project=project,
        slug=slug,
        title=_label("Mobility <script>alert(1)</script>"),
        published=True,
        allow_anonymous=True,
    )
    page = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    specs = [
        (
            "travel",
            "single_choice",
            {"choices": [{"value": v, "label": _label(v)} for v in TRAVEL]},
        ),
        ("satisfaction", "scale", {"personal": True}),
        ("trips", "number", {"number_min": 0, "number_max": 100}),
        (
            "modes",
            "multi_choice",
            {"choices": [{"value": v, "label": _label(v)} for v in ("walk", "bike", "train")]},
        ),
        ("unsafe", "map_point", {"max_count": 3}),
        ("route", "map_line", {"max_count": 1}),
    ]
    for position, (code, kind, extra) in enumerate(specs):
        Question.objects.create(
            questionnaire=questionnaire,
            page=page,
            position=position,
            code=code,
            kind=kind,
            text=_label(f"Question {code} <b>"),
            **extra,
        )
    return questionnaire


def places(project, n):
    """n points inside the perimeter: the demo's own point contributions."""
    return list(
        Contribution.objects.filter(project=project, geom__isnull=False)
        .extra(where=["GeometryType(geom) = 'POINT'"])
        .values_list("geom", flat=True)[:n]
    )


def feature(point):
    return {"type": "Point", "coordinates": [point.x, point.y]}


def _near(centre, perimeter, rng):
    """A point of the planted cluster: within about 1.5 km of the centre (a block of Gi*'s
    1 km squares, whose windows then hold it), inside the perimeter."""
    while True:
        point = Point(
            centre.x + rng.uniform(-0.018, 0.018), centre.y + rng.uniform(-0.013, 0.013), srid=4326
        )
        if perimeter.contains(point):
            return point


def answer_all(questionnaire, *, seed=7):
    """CLUSTER_SIZE responses drawing a point in one cluster (all answered travel "bus"),
    SCATTERED more with a point at a demo place and a short line; returns the centre."""
    rng = random.Random(seed)
    spots = places(questionnaire.project, SCATTERED + 1)
    centre = spots[0]
    perimeter = questionnaire.project.perimeter.geom
    stored = 0
    for k in range(CLUSTER_SIZE + SCATTERED):
        clustered = k < CLUSTER_SIZE
        if clustered:
            point = _near(centre, perimeter, rng)
        else:
            point = spots[1 + (k - CLUSTER_SIZE) % SCATTERED]
        answers = {
            "travel": "bus" if clustered else TRAVEL[k % 3],
            "satisfaction": 1 + k % 5,
            "trips": k % 11,
            "unsafe": [{"geometry": feature(point), "comment": f"=1+1 spot {k}"}],
        }
        if k % 2:
            answers["modes"] = ["walk", "train"] if k % 4 == 1 else ["bike"]
        if not clustered:
            answers["route"] = [
                {
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[point.x, point.y], [point.x + 0.002, point.y + 0.001]],
                    }
                }
            ]
        submit_response(
            questionnaire=questionnaire,
            answers=answers,
            client_key=str(uuid.uuid4()),
            channel="paper" if k % 10 == 0 else "online",
            language="it",
        )
        stored += 1
    return centre, stored


@pytest.fixture(scope="module")
def survey(demo, django_db_blocker):
    with django_db_blocker.unblock():
        questionnaire = build_questionnaire(demo)
        centre, stored = answer_all(questionnaire)
        questionnaire.centre, questionnaire.stored = centre, stored
        yield questionnaire
        Questionnaire.objects.filter(pk=questionnaire.pk).delete()
