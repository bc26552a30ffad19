from django.urls import path, re_path

from contributions import api
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
