from django.urls import path

from layers.api import TileView

urlpatterns = [
    path("<slug:slug>/<int:z>/<int:x>/<int:y>.pbf", TileView.as_view(), name="tile"),
]
