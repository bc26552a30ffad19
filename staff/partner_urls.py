"""The workspace's pages of the partners' projects (staff.views.partner_projects,
partner_coverage, partner_votes), added to staff.urls."""

from django.urls import path

from staff.views import partner_coverage, partner_projects, partner_votes

urlpatterns = [
    path(
        "<slug:slug>/partner-projects/",
        partner_projects.partner_projects,
        name="partner-projects",
    ),
    path(
        "<slug:slug>/partner-projects/new/",
        partner_projects.partner_project_form,
        name="partner-project-new",
    ),
    path(
        "<slug:slug>/partner-projects/coverage/",
        partner_coverage.coverage_page,
        name="partner-coverage",
    ),
    path("<slug:slug>/partner-projects/vote/", partner_coverage.open_vote, name="partner-vote"),
    path(
        "<slug:slug>/partner-projects/vote/close/",
        partner_coverage.close_vote,
        name="partner-vote-close",
    ),
    path(
        "<slug:slug>/partner-projects/ballots/",
        partner_votes.record_votes,
        name="partner-votes",
    ),
    path(
        "<slug:slug>/partner-projects/photos/<uuid:photo_id>.jpg",
        partner_projects.partner_photo_file,
        name="partner-photo-file",
    ),
    path(
        "<slug:slug>/partner-projects/<uuid:pk>/",
        partner_projects.partner_project_form,
        name="partner-project",
    ),
    path(
        "<slug:slug>/partner-projects/<uuid:pk>/photos/",
        partner_projects.partner_photo,
        name="partner-project-photo",
    ),
    path(
        "<slug:slug>/partner-projects/<uuid:pk>/photos/<uuid:photo_id>/delete/",
        partner_projects.partner_photo_delete,
        name="partner-project-photo-delete",
    ),
    path(
        "<slug:slug>/partner-projects/<uuid:pk>/outcome/",
        partner_projects.partner_outcome,
        name="partner-project-outcome",
    ),
]
