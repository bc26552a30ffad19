"""The staff export, mounted beside the public API: /api/projects/{slug}/export.{fmt}, and
/api/projects/{slug}/export, where the workspace's export form sends its choice."""

from django.urls import re_path

from staff.views.exports import export_choice, staff_export

urlpatterns = [
    re_path(
        r"^(?P<slug>[-\w]+)/export\.(?P<fmt>geojson|gpkg|csv|fgb|csv\.zip|shp\.zip|qgis\.zip)$",
        staff_export,
        name="staff-export",
    ),
    re_path(r"^(?P<slug>[-\w]+)/export$", export_choice, name="staff-export-choice"),
]
