"""Questionnaires' map questions as OGC API - Features collections, one per map question of a
published questionnaire: `<project>-q-<questionnaire>-<code>` (docs/ogc.md). The collection,
its items (paged, bbox) and one item, in every CRS the API offers (layers.ogc_crs).

The OGC API has no staff access: everything it serves is public. Individual responses are
never public, so a collection serves only what the location rules allow
(docs/questionnaire_results.md): each map answer at its generalised place
(layers.exports.questionnaire_sql, the public export's own SELECT), with the question's code
and the commune of that place, under an id keyed with the database's secret, and nothing
that ties two answers to one response. A personal question (results in groups of 5 or more
only) has no collection.
"""

import json

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import DomainError
from core.i18n import localized
from layers import ogc_crs, ogc_params, ogc_queryables
from layers.exports.questionnaire_sql import map_answers_sql
from layers.ogc_common import absolute_url as _url
from layers.ogc_common import ogc_errors as _errors
from questionnaires.models import MAP_KINDS, Question

INFIX = "-q-"
GEOJSON = "application/geo+json"
ITEMS_PARAMS = ["limit", "offset", "bbox", "bbox-crs", "crs", "commune"]
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def collection_id(question) -> str:
    questionnaire = question.questionnaire
    return f"{questionnaire.project.slug}{INFIX}{questionnaire.slug}-{question.code}"


def public_questions():
    """The map questions the API serves: of published questionnaires, not personal."""
    return (
        Question.objects.filter(kind__in=MAP_KINDS, personal=False, questionnaire__published=True)
        .select_related("questionnaire__project__perimeter")
        .order_by(
            "questionnaire__project__slug", "questionnaire__slug", "page__position", "position"
        )
    )


def resolve(identifier: str):
    """The map question a collection id names, or a 404. A project's, a questionnaire's
    and a question's slugs may all hold hyphens: every split at `-q-` is tried."""
    start = 0
    while (at := identifier.find(INFIX, start)) > 0:
        slug, rest = identifier[:at], identifier[at + len(INFIX) :]
        for question in public_questions().filter(questionnaire__project__slug=slug):
            if rest == f"{question.questionnaire.slug}-{question.code}":
                return question
        start = at + 1
    raise DomainError("not_found", _("No such collection."), status=404)


def collection_data(request, question) -> dict:
    identifier = collection_id(question)
    questionnaire = question.questionnaire
    project = questionnaire.project
    order = project.answer_order
    return {
        "id": identifier,
        "title": ": ".join(
            (
                localized(questionnaire.title, None, order) or questionnaire.slug,
                localized(question.text, None, order) or question.code,
            )
        ),
        "description": _(
            "Answers drawn on the map for this question, each at a generalised place, with "
            "no link between the answers of one response."
        ),
        "itemType": "feature",
        "crs": ogc_crs.URIS,
        "storageCrs": ogc_crs.STORAGE.uri,
        "extent": {
            "spatial": {"bbox": [list(project.perimeter.geom.extent)], "crs": ogc_crs.CRS84_URI}
        },
        "links": [
            {
                "rel": "self",
                "type": "application/json",
                "href": _url(request, "ogc-questionnaire-collection", identifier),
            },
            {
                "rel": "items",
                "type": GEOJSON,
                "href": _url(request, "ogc-questionnaire-items", identifier),
            },
            {
                "rel": QUERYABLES_REL,
                "type": SCHEMA,
                "href": _url(request, "ogc-questionnaire-queryables", identifier),
            },
        ],
    }


def listed(request, projects) -> list:
    """The collections /collections lists: every public map question of these projects."""
    return [
        collection_data(request, question)
        for question in public_questions().filter(questionnaire__project__in=projects)
    ]


def _page_sql(question, crs, where: str) -> str:
    # Fast path, raw SQL: the public export's SELECT (values as psycopg literals, so its
    # percent signs are doubled for the bound parameters here), a page in id order, and the
    # features written as JSON text by PostgreSQL, the geometry in `crs` (ogc_crs).
    source = map_answers_sql(question, public=True).replace("%", "%%")
    return f"""
        SELECT json_build_object(
            'type', 'Feature', 'id', a.id, 'geometry', {ogc_crs.geometry_sql(crs, "a.geom")},
            'properties', json_build_object(
                'question', a.question, 'commune', a.commune_code,
                'commune_name', a.commune_name))::text
        FROM ({source}) a {where}
    """  # noqa: S608 - fixed fragments; values are literals or bound parameters


def _where(request) -> tuple[str, list]:
    """The items' filters: `bbox` (in `bbox-crs`) and `commune` (official codes, commas)."""
    conditions, params = [], []
    if "bbox" in request.GET:
        drawn = ogc_crs.box(request.GET["bbox"], ogc_crs.requested(request, "bbox-crs"))
        srid = int(drawn.crs.srid)
        conditions.append(
            f"ST_Intersects(ST_Transform(a.geom, {srid}), ST_MakeEnvelope(%s, %s, %s, %s, {srid}))"
        )
        params += list(drawn.corners)
    if request.GET.get("commune"):
        conditions.append("a.commune_code = ANY(%s)")
        params.append([code.strip()[:20] for code in request.GET["commune"].split(",")][:100])
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _geojson(body: str, crs):
    return HttpResponse(body, content_type=GEOJSON, headers=ogc_crs.content_crs(crs))


@require_GET
@_errors
def collection(request, question_collection):
    ogc_params.check_params(request, [])
    return JsonResponse(collection_data(request, resolve(question_collection)))


@require_GET
@_errors
def items(request, question_collection):
    ogc_params.check_params(request, ITEMS_PARAMS)
    question = resolve(question_collection)
    limit, offset = ogc_params.paging(request)
    crs = ogc_crs.requested(request)
    where, params = _where(request)
    sql = _page_sql(question, crs, where)
    matched = _run(f"SELECT count(*) FROM ({sql}) counted", params)[0][0]  # noqa: S608
    rows = _run(f"{sql} ORDER BY a.id LIMIT %s OFFSET %s", [*params, limit, offset])
    links = [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()}]
    if offset + len(rows) < matched:
        base = _url(request, "ogc-questionnaire-items", question_collection)
        query = request.GET.copy()
        query["offset"], query["limit"] = str(offset + limit), str(limit)
        links.append({"rel": "next", "type": GEOJSON, "href": f"{base}?{query.urlencode()}"})
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(rows),
            "links": links,
        }
    )
    features = ",".join(row[0] for row in rows)
    return _geojson(f'{head[:-1]}, "features": [{features}]}}', crs)


@require_GET
@_errors
def item(request, question_collection, answer_id):
    ogc_params.check_params(request, ["crs"])
    question = resolve(question_collection)
    crs = ogc_crs.requested(request)
    rows = _run(_page_sql(question, crs, "WHERE a.id = %s"), [answer_id])
    if not rows:
        raise DomainError("not_found", _("No such feature."), status=404)
    data = json.loads(rows[0][0])
    data["links"] = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri(request.path)},
        {
            "rel": "collection",
            "type": "application/json",
            "href": _url(request, "ogc-questionnaire-collection", question_collection),
        },
    ]
    return _geojson(json.dumps(data), crs)


@require_GET
@_errors
def queryables(request, question_collection):
    """Part 3: the items can be filtered by the commune their generalised place lies in."""
    ogc_params.check_params(request, [])
    question = resolve(question_collection)
    communes = sorted(
        question.questionnaire.project.perimeter.members.exclude(code="")
        .values_list("code", flat=True)
        .distinct()
    )
    properties = {
        "commune": {
            "title": _("Commune (official code)"),
            "description": _("The commune the public location lies in."),
            "type": "string",
            "enum": communes,
        }
    }
    url = _url(request, "ogc-questionnaire-queryables", question_collection)
    data = ogc_queryables.schema(url, collection_id(question), properties)
    return JsonResponse(data, content_type=SCHEMA)
