"""The workspace's pages for evaluating proposals and deciding on them at the partners'
meetings (staff.views.evaluation_grid, evaluations, decisions, programming_export)."""

from django.urls import path

from staff.views import decisions, evaluation_grid, evaluations, programming_export

urlpatterns = [
    path("<slug:slug>/evaluation-grid/", evaluation_grid.evaluation_grid, name="evaluation-grid"),
    path(
        "<slug:slug>/c/<uuid:contribution_id>/evaluation/",
        evaluations.evaluation,
        name="evaluation",
    ),
    path("<slug:slug>/meetings/", decisions.meetings, name="meetings"),
    path("<slug:slug>/meetings/<int:meeting_id>/", decisions.meeting, name="meeting"),
    path(
        "<slug:slug>/meetings/kept-proposals.<slug:fmt>",
        programming_export.programming_export,
        name="programming-export",
    ),
]
