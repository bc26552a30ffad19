"""Reads on questionnaires that more than one caller needs: the published questionnaire of a
project, and its definition as the answering page (and its offline copy) reads it."""

import json

from django.shortcuts import get_object_or_404

from core.i18n import localized_in
from questionnaires.models import Questionnaire, Response


def published_questionnaire(project_slug: str, slug: str) -> Questionnaire:
    """The published questionnaire, or the same 404 as for one that does not exist."""
    return get_object_or_404(
        Questionnaire.objects.published().select_related("project__perimeter"),
        project__slug=project_slug,
        slug=slug,
    )


def definition(questionnaire: Questionnaire, language: str | None = None) -> dict:
    """Everything needed to answer, in one language (each text falls back through the
    project's languages; `lang` says which language a text is in)."""
    project = questionnaire.project

    def text(value):
        found = localized_in(value or {}, language, project.answer_order)
        return {"text": found.text, "lang": found.language}

    pages = []
    by_page = {}
    for page in questionnaire.pages.order_by("position", "pk"):
        by_page[page.pk] = {"position": page.position, "title": text(page.title), "questions": []}
        pages.append(by_page[page.pk])
    for question in questionnaire.ordered_questions():
        by_page[question.page_id]["questions"].append(
            {
                "code": question.code,
                "kind": question.kind,
                "text": text(question.text),
                "help": text(question.help),
                "required": question.required,
                "condition": question.condition,
                **_specifics(question, text),
            }
        )
    perimeter = project.perimeter
    return {
        "slug": questionnaire.slug,
        "project": project.slug,
        "title": text(questionnaire.title),
        "intro": text(questionnaire.intro),
        "languages": project.languages,
        "opens_at": questionnaire.opens_at,
        "closes_at": questionnaire.closes_at,
        "is_open": questionnaire.is_open(),
        "anonymous_allowed": questionnaire.anonymous_allowed,
        "perimeter": {
            "slug": perimeter.slug,
            "name": perimeter.name,
            "tolerance_m": project.tolerance_m,
            "bbox": list(perimeter.geom.extent),
        },
        "pages": pages,
    }


def _specifics(question, text) -> dict:
    if question.is_choice:
        return {
            "choices": [
                {"value": c["value"], "label": text(c.get("label"))} for c in question.choices
            ]
        }
    if question.kind == "scale":
        return {
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "scale_labels": {
                key: text(value) for key, value in (question.scale_labels or {}).items()
            },
        }
    if question.kind == "number":
        return {"number_min": question.number_min, "number_max": question.number_max}
    if question.is_map:
        return {
            "geometry_type": question.geometry_type,
            "min_count": question.min_count,
            "max_count": question.max_count,
            "max_length_m": question.max_length_m,
            "max_area_m2": question.max_area_m2,
            "inside_perimeter": question.inside_perimeter,
        }
    return {}


def responses_of(user) -> list[dict]:
    """A person's own responses, for their personal data export: every answer and drawing,
    with the exact geometry (it is theirs)."""
    responses = (
        Response.objects.filter(user=user)
        .select_related("questionnaire__project", "commune")
        .prefetch_related("answers__question", "map_answers__question")
        .order_by("submitted_at")
    )
    return [
        {
            "id": str(r.pk),
            "project": r.project.slug,
            "questionnaire": r.questionnaire.slug,
            "channel": r.channel,
            "language": r.language,
            "commune_of_residence": r.commune.code if r.commune else None,
            "submitted_at": r.submitted_at.isoformat(),
            "answers": {a.question.code: a.value for a in r.answers.all()},
            "map_answers": [
                {
                    "question": m.question.code,
                    "geometry": json.loads(m.geometry.geojson),
                    "comment": m.comment,
                }
                for m in r.map_answers.all()
            ],
        }
        for r in responses
    ]
