from django.urls import path

from questionnaires import api

urlpatterns = [
    path(
        "<slug:slug>/questionnaires/<slug:qslug>/",
        api.QuestionnaireView.as_view(),
        name="questionnaire-definition",
    ),
    path(
        "<slug:slug>/questionnaires/<slug:qslug>/responses/",
        api.ResponseCreateView.as_view(),
        name="questionnaire-responses",
    ),
]
