from django.urls import path

from staff import (
    evaluation_urls,
    partner_urls,
    questionnaire_entry_urls,
    questionnaire_results_urls,
)
from staff.views import (
    answer_templates,
    assisted_entry,
    audit,
    contribution,
    dashboard,
    diagnostic,
    home,
    meeting_pack,
    printed,
    questionnaires,
    queue,
    results,
)

app_name = "staff"
urlpatterns = [
    path("", home.index, name="index"),
    path("<slug:slug>/", queue.queue, name="queue"),
    path("<slug:slug>/moderate/", queue.moderate, name="moderate"),
    path("<slug:slug>/c/<uuid:contribution_id>/", contribution.contribution, name="contribution"),
    path(
        "<slug:slug>/c/<uuid:contribution_id>/duplicate/",
        contribution.duplicate,
        name="duplicate",
    ),
    path("<slug:slug>/c/<uuid:contribution_id>/move/", contribution.move, name="move"),
    path("<slug:slug>/c/<uuid:contribution_id>/undo/", contribution.undo, name="undo"),
    path("<slug:slug>/record/", assisted_entry.record, name="record"),
    path("<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/dashboard/<slug:name>.csv", dashboard.dashboard_csv, name="dashboard-csv"),
    path("<slug:slug>/answers/", answer_templates.answer_templates, name="answer-templates"),
    path(
        "<slug:slug>/answers/<int:template_id>/delete/",
        answer_templates.delete_answer_template,
        name="delete-answer-template",
    ),
    path("<slug:slug>/audit/", audit.audit_log, name="audit"),
    path("<slug:slug>/print/<slug:size>/", printed.printable, name="print"),
    path("<slug:slug>/diagnostic/", diagnostic.diagnostic, name="diagnostic"),
    path(
        "<slug:slug>/diagnostic/bundle.zip", diagnostic.diagnostic_bundle, name="diagnostic-bundle"
    ),
]
urlpatterns += [
    path("<slug:slug>/results/", results.results, name="results"),
    path("<slug:slug>/results/new/", results.result_form, name="result-new"),
    path("<slug:slug>/results/<uuid:pk>/", results.result_form, name="result"),
    path(
        "<slug:slug>/results/<uuid:pk>/milestones/",
        results.milestone,
        name="result-milestone",
    ),
]
urlpatterns += [
    path("<slug:slug>/meeting-pack/", meeting_pack.meeting_pack, name="meeting-pack"),
    path("<slug:slug>/meeting-pack.pdf", meeting_pack.meeting_pack_pdf, name="meeting-pack-pdf"),
]
urlpatterns += evaluation_urls.urlpatterns
urlpatterns += partner_urls.urlpatterns
urlpatterns += [
    path("<slug:slug>/questionnaires/", questionnaires.questionnaires, name="questionnaires"),
    path(
        "<slug:slug>/questionnaires/new/",
        questionnaires.questionnaire_settings,
        name="questionnaire-new",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/",
        questionnaires.questionnaire,
        name="questionnaire",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/settings/",
        questionnaires.questionnaire_settings,
        name="questionnaire-settings",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/pages/<int:page_id>/",
        questionnaires.page_action,
        name="questionnaire-page",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/questions/new/",
        questionnaires.question_form,
        name="questionnaire-question-new",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/",
        questionnaires.question_form,
        name="questionnaire-question",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/move/",
        questionnaires.question_action,
        name="questionnaire-question-action",
    ),
]
urlpatterns += questionnaire_entry_urls.urlpatterns
urlpatterns += questionnaire_results_urls.urlpatterns
