"""The staff export, mounted beside the public API: /api/projects/{slug}/export.{fmt}"""

from django.urls import re_path

from staff.views.exports import staff_export

urlpatterns = [
    re_path(
        r"^(?P<slug>[-\w]+)/export\.(?P<fmt>geojson|gpkg|csv)$",
        staff_export,
        name="staff-export",
    ),
]
