"""The map layers' addresses: clusters and open data beside the project API, vector tiles."""

from django.urls import path, re_path

from layers.api import ClustersView, TileView
from layers.opendata import OpenDataView

urlpatterns = [
    path("api/projects/<slug:slug>/clusters/", ClustersView.as_view(), name="clusters"),
    re_path(
        r"^api/projects/(?P<slug>[-\w]+)/opendata\.(?P<fmt>geojson|csv)$",
        OpenDataView.as_view(),
        name="opendata",
    ),
    path("tiles/<slug:slug>/<int:z>/<int:x>/<int:y>.pbf", TileView.as_view(), name="tile"),
]
