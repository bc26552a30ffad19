from django.urls import path

from contributions import api, map_api, partner_api, votes_api

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
    path("<slug:slug>/check-location/", map_api.CheckLocationView.as_view(), name="check-location"),
    path("<slug:slug>/communes.geojson", map_api.CommunesView.as_view(), name="project-communes"),
    path("<slug:slug>/places/", map_api.PlacesView.as_view(), name="places"),
    path("<slug:slug>/contributions/<uuid:pk>/vote/", votes_api.VoteView.as_view(), name="vote"),
    path(
        "<slug:slug>/contributions/<uuid:pk>/comments/",
        api.CommentListView.as_view(),
        name="comment-list",
    ),
    path(
        "<slug:slug>/partner-projects/",
        partner_api.PartnerProjectListView.as_view(),
        name="partner-project-list",
    ),
    path(
        "<slug:slug>/partner-projects/<uuid:pk>/vote/",
        partner_api.PartnerVoteView.as_view(),
        name="partner-project-vote",
    ),
]
