"""A project's questionnaires, answered on the site (mapping.questionnaire_views); included
under the pages' language prefix by mapping.urls."""

from django.urls import path

from mapping.questionnaire_views import QuestionnaireView

urlpatterns = [
    path("<slug:qslug>/", QuestionnaireView.as_view(), name="questionnaire"),
]
