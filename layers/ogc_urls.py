from django.urls import path, re_path

from layers import ogc, ogc_partner_projects, ogc_questionnaires, ogc_results

QUESTION_ID = r"(?P<question_collection>(?![-\w]*-contributions(?:/|$))[-\w]+-q-[-\w]+)"

urlpatterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("api", ogc.api, name="ogc-api"),
    path("collections", ogc.collections, name="ogc-collections"),
    # Results ("you said, we did"): `<slug>-results`, before the generic collection routes.
    path("collections/<slug:slug>-results", ogc_results.collection, name="ogc-result-collection"),
    path("collections/<slug:slug>-results/items", ogc_results.items, name="ogc-result-items"),
    path(
        "collections/<slug:slug>-results/items/<str:feature_id>",
        ogc_results.item,
        name="ogc-result-item",
    ),
    # The partners' projects put to the vote: `<slug>-partner-projects`, likewise.
    path(
        "collections/<slug:slug>-partner-projects",
        ogc_partner_projects.collection,
        name="ogc-partner-collection",
    ),
    path(
        "collections/<slug:slug>-partner-projects/queryables",
        ogc_partner_projects.queryables,
        name="ogc-partner-queryables",
    ),
    path(
        "collections/<slug:slug>-partner-projects/items",
        ogc_partner_projects.items,
        name="ogc-partner-items",
    ),
    path(
        "collections/<slug:slug>-partner-projects/items/<str:feature_id>",
        ogc_partner_projects.item,
        name="ogc-partner-item",
    ),
    # A questionnaire's map question: `<slug>-q-<questionnaire>-<code>` (never a project's
    # contributions, whose ids end in -contributions).
    re_path(
        rf"^collections/{QUESTION_ID}$",
        ogc_questionnaires.collection,
        name="ogc-questionnaire-collection",
    ),
    re_path(
        rf"^collections/{QUESTION_ID}/queryables$",
        ogc_questionnaires.queryables,
        name="ogc-questionnaire-queryables",
    ),
    re_path(
        rf"^collections/{QUESTION_ID}/items$",
        ogc_questionnaires.items,
        name="ogc-questionnaire-items",
    ),
    re_path(
        rf"^collections/{QUESTION_ID}/items/(?P<answer_id>[0-9a-f]{{32}})$",
        ogc_questionnaires.item,
        name="ogc-questionnaire-item",
    ),
    path("collections/<str:collection_id>", ogc.collection, name="ogc-collection"),
    path("collections/<str:collection_id>/queryables", ogc.queryables, name="ogc-queryables"),
    path("collections/<str:collection_id>/items", ogc.items, name="ogc-items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc-item"),
]
