"""Synthetic responses to a questionnaire, seeded: the same seed gives the same responses.

Respondents live around a few towns (weighted); each answers the choice and scale questions
with the given weights, and the map questions with drawings near their town: points a short
walk from home, a line from home to work (in their town or another, when the straight line
stays inside the perimeter and under the question's length), an area in their commune. Every
response goes through questionnaires.services.submit_response, so every rule holds; its
client_key ("<prefix>-<seed>-<n>") makes a second run store nothing new."""

import json
import random

from django.contrib.gis.geos import LineString, Point, Polygon

from core.postgis import METRIC_SRID, STORAGE_SRID
from questionnaires.models import Questionnaire, Response
from questionnaires.services import submit_response
from territories.models import Territory, TerritoryKind

PREFIX = "synthetic"
AREA_SIDE_DEG = 0.004


class _Town:
    def __init__(self, territory: Territory, weight: float):
        self.territory, self.weight = territory, weight
        self.centre = territory.geom.point_on_surface
        self.prepared = territory.geom.prepared


def _near(rng, town: _Town, spread: float) -> Point:
    """A point around the town's centre, inside its commune (its centre if none is found)."""
    for _attempt in range(20):
        point = Point(
            town.centre.x + rng.gauss(0, spread),
            town.centre.y + rng.gauss(0, spread * 0.7),
            srid=STORAGE_SRID,
        )
        if town.prepared.contains(point):
            return point
    return town.centre


def _geojson(geom, comment=""):
    # As a browser sends it: GeoJSON, positions as lists, six decimals (about 0.1 m).
    rounded = json.loads(geom.json)
    rounded["coordinates"] = _round(rounded["coordinates"])
    return {"geometry": rounded, "comment": comment}


def _round(coordinates):
    if isinstance(coordinates[0], int | float):
        return [round(value, 6) for value in coordinates]
    return [_round(part) for part in coordinates]


def _line(rng, home, towns, spread, perimeter, max_length_m):
    work_town = rng.choices(towns, weights=[t.weight for t in towns])[0]
    line = LineString(home.coords, _near(rng, work_town, spread).coords, srid=STORAGE_SRID)
    length = line.transform(METRIC_SRID, clone=True).length
    if line.length == 0 or (max_length_m and length > max_length_m):
        return None
    return line if perimeter.covers(line) else None


def _area(rng, home, town):
    x, y = home.x, home.y
    side = AREA_SIDE_DEG * rng.uniform(0.5, 1.0)
    square = Polygon(
        ((x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)), srid=STORAGE_SRID
    )
    return square if town.prepared.contains(square) else None


def _answers(rng, questions, config, home, town, towns, perimeter):
    spread, shares = config["spread_deg"], config["shares"]
    answers = {}
    for question in questions:
        kind = question.kind
        if kind == "single_choice":
            weights = config.get("choice_weights", {}).get(question.code, {})
            values = question.choice_values
            answers[question.code] = rng.choices(
                values, weights=[weights.get(v, 1) for v in values]
            )[0]
        elif kind == "multi_choice":
            values = question.choice_values
            answers[question.code] = rng.sample(values, rng.randint(1, min(2, len(values))))
        elif kind == "scale":
            values = list(range(question.scale_min, question.scale_max + 1))
            weights = config.get("scale_weights")
            if not weights or len(weights) != len(values):
                weights = [1] * len(values)
            answers[question.code] = rng.choices(values, weights=weights)[0]
        elif kind == "map_point" and rng.random() < shares["map_point"]:
            count = rng.randint(max(1, question.min_count), min(3, question.max_count or 3))
            answers[question.code] = [_geojson(_near(rng, town, spread)) for _ in range(count)]
        elif kind == "map_line" and rng.random() < shares["map_line"]:
            line = _line(rng, home, towns, spread, perimeter, question.max_length_m)
            if line is not None:
                answers[question.code] = [_geojson(line)]
        elif kind == "map_area" and rng.random() < shares["map_area"]:
            area = _area(rng, home, town)
            if area is not None:
                answers[question.code] = [_geojson(area)]
    return answers


def generate_responses(*, questionnaire: Questionnaire, config: dict, prefix: str = PREFIX) -> int:
    """Stores the `config["count"]` synthetic responses not stored yet; how many it stored.
    `config`: seed, towns ([{code, weight}]), spread_deg, choice_weights, scale_weights,
    shares (of respondents drawing each kind of map answer, giving their commune),
    languages (weights)."""
    seed = config["seed"]
    keys = [f"{prefix}-{seed}-{n:04d}" for n in range(config["count"])]
    stored = set(
        Response.objects.filter(questionnaire=questionnaire, client_key__in=keys).values_list(
            "client_key", flat=True
        )
    )
    if len(stored) == len(keys):
        return 0
    towns = [
        _Town(
            Territory.objects.get(
                kind=TerritoryKind.COMMUNE, code=town["code"], valid_until__isnull=True
            ),
            town["weight"],
        )
        for town in config["towns"]
    ]
    perimeter = questionnaire.project.perimeter.geom.prepared
    questions = list(questionnaire.ordered_questions())
    languages = config["languages"]
    rng = random.Random(seed)  # noqa: S311 - demo data, seeded on purpose
    added = 0
    for key in keys:
        # Drawn for every key, stored or not, so each response is the same whatever is stored.
        town = rng.choices(towns, weights=[t.weight for t in towns])[0]
        home = _near(rng, town, config["spread_deg"])
        answers = _answers(rng, questions, config, home, town, towns, perimeter)
        language = rng.choices(list(languages), weights=list(languages.values()))[0]
        commune = town.territory if rng.random() < config["shares"]["commune"] else None
        if key in stored:
            continue
        submit_response(
            questionnaire=questionnaire,
            answers=answers,
            client_key=key,
            language=language,
            commune=commune,
        )
        added += 1
    return added
