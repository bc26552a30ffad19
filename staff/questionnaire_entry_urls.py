"""Staff entry of paper and assisted answers (staff.views.questionnaire_entry)."""

from django.urls import path

from staff.views import questionnaire_entry

urlpatterns = [
    path(
        "<slug:slug>/questionnaires/<int:questionnaire_id>/entry/",
        questionnaire_entry.entry,
        name="questionnaire-entry",
    ),
]
