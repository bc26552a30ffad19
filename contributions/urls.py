from django.urls import path, re_path

from contributions import api, map_api
from layers.api import ClustersView
from layers.opendata import OpenDataView

urlpatterns = [
    path("", api.ProjectListView.as_view(), name="project-list"),
    path("<slug:slug>/", api.ProjectDetailView.as_view(), name="project-detail"),
    path(
        "<slug:slug>/contributions/",
        api.ContributionListView.as_view(),
        name="contribution-list",
    ),
    path(
        "<slug:slug>/contributions/<uuid:pk>/",
        api.ContributionDetailView.as_view(),
        name="contribution-detail",
    ),
    path("<slug:slug>/clusters/", ClustersView.as_view(), name="clusters"),
    path("<slug:slug>/check-location/", map_api.CheckLocationView.as_view(), name="check-location"),
    path("<slug:slug>/communes.geojson", map_api.CommunesView.as_view(), name="project-communes"),
    path("<slug:slug>/places/", map_api.PlacesView.as_view(), name="places"),
    re_path(
        r"^(?P<slug>[-\w]+)/opendata\.(?P<fmt>geojson|csv)$",
        OpenDataView.as_view(),
        name="opendata",
    ),
    path("<slug:slug>/contributions/<uuid:pk>/vote/", api.VoteView.as_view(), name="vote"),
    path(
        "<slug:slug>/contributions/<uuid:pk>/comments/",
        api.CommentListView.as_view(),
        name="comment-list",
    ),
]
