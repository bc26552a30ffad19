"""The map layers' addresses: clusters and open data beside the project API, vector tiles,
the basemap (docs/basemap.md)."""

from django.urls import path, re_path

from layers.api import ClustersView, TileView
from layers.basemap_views import ArchiveTileView, ArchiveView, ConfigView, TerritoryTileView
from layers.opendata import OpenDataView
from layers.tile_style_views import TileJSONView, TileQmlView, TileStyleView

urlpatterns = [
    path("api/projects/<slug:slug>/clusters/", ClustersView.as_view(), name="clusters"),
    re_path(
        r"^api/projects/(?P<slug>[-\w]+)/opendata\.(?P<fmt>geojson|csv)$",
        OpenDataView.as_view(),
        name="opendata",
    ),
    path("tiles/<slug:slug>/<int:z>/<int:x>/<int:y>.pbf", TileView.as_view(), name="tile"),
    path(
        "basemap/territory/<int:z>/<int:x>/<int:y>.pbf",
        TerritoryTileView.as_view(),
        name="basemap-territory",
    ),
    path("basemap/config.json", ConfigView.as_view(), name="basemap-config"),
    path("basemap/archive.pmtiles", ArchiveView.as_view(), name="basemap-archive"),
    path(
        "basemap/archive/<int:z>/<int:x>/<int:y>",
        ArchiveTileView.as_view(),
        name="basemap-archive-tile",
    ),
    path("tiles/<slug:slug>/tiles.json", TileJSONView.as_view(), name="tile-tilejson"),
    path("tiles/<slug:slug>/style.json", TileStyleView.as_view(), name="tile-style"),
    path("tiles/<slug:slug>/style.qml", TileQmlView.as_view(), name="tile-style-qml"),
]
