from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.queue, name="queue"),
    path("<slug:slug>/moderate/", views.moderate, name="moderate"),
    path("<slug:slug>/c/<uuid:contribution_id>/", views.contribution, name="contribution"),
    path("<slug:slug>/c/<uuid:contribution_id>/duplicate/", views.duplicate, name="duplicate"),
    path("<slug:slug>/record/", views.record, name="record"),
    path("<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:slug>/dashboard/<slug:name>.csv", views.dashboard_csv, name="dashboard-csv"),
    path("<slug:slug>/answers/", views.answer_templates, name="answer-templates"),
    path(
        "<slug:slug>/answers/<int:template_id>/delete/",
        views.delete_answer_template,
        name="delete-answer-template",
    ),
    path("<slug:slug>/audit/", views.audit_log, name="audit"),
    path("<slug:slug>/print/<slug:size>/", views.printable, name="print"),
    path("<slug:slug>/diagnostic/", views.diagnostic, name="diagnostic"),
    path("<slug:slug>/diagnostic/bundle.zip", views.diagnostic_bundle, name="diagnostic-bundle"),
]
