from django.urls import path

from layers import ogc, ogc_results

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
    path("collections/<str:collection_id>", ogc.collection, name="ogc-collection"),
    path("collections/<str:collection_id>/queryables", ogc.queryables, name="ogc-queryables"),
    path("collections/<str:collection_id>/items", ogc.items, name="ogc-items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc-item"),
]
