from django.urls import path

from territories.api import TerritoriesAtView, TerritoryGeoJSONView

urlpatterns = [
    path("at/", TerritoriesAtView.as_view(), name="territories-at"),
    path("<slug:slug>.geojson", TerritoryGeoJSONView.as_view(), name="territory-geojson"),
]
