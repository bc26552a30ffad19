"""A questionnaire's results page and its staff downloads (staff.views.questionnaire_results)."""

from django.urls import path

from staff.views import questionnaire_results

urlpatterns = [
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/results/",
        questionnaire_results.questionnaire_results,
        name="questionnaire-results",
    ),
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/results/download/",
        questionnaire_results.questionnaire_download,
        name="questionnaire-download",
    ),
]
