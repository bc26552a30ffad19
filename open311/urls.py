"""Open311 GeoReport v2, mounted at /open311/v2/: every address ends in .json or .xml."""

from django.urls import path

from open311 import views

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="open311-discovery"),
    path("services.<str:fmt>", views.service_list, name="open311-services"),
    path("requests.<str:fmt>", views.request_list, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", views.request_detail, name="open311-request"),
]
