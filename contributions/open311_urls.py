"""Open311 GeoReport v2, mounted at /open311/v2/: every address ends in .json or .xml."""

from django.urls import path

from contributions import open311

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="open311-discovery"),
    path("services.<str:fmt>", open311.service_list, name="open311-services"),
    path("requests.<str:fmt>", open311.request_list, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", open311.request_detail, name="open311-request"),
]
