from django.urls import path

from layers import ogc

urlpatterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("api", ogc.api, name="ogc-api"),
    path("collections", ogc.collections, name="ogc-collections"),
    path("collections/<str:collection_id>", ogc.collection, name="ogc-collection"),
    path("collections/<str:collection_id>/queryables", ogc.queryables, name="ogc-queryables"),
    path("collections/<str:collection_id>/items", ogc.items, name="ogc-items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="ogc-item"),
]
