"""Privacy pages (inside i18n_patterns: the notice and forms speak the visitor's language)."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("privacy/", views.NoticeView.as_view(), name="privacy-notice"),
    path("privacy/my-data/", views.MyDataView.as_view(), name="privacy-my-data"),
    path("privacy/by-email/", views.EmailRequestView.as_view(), name="privacy-email-request"),
    path(
        "privacy/by-email/<str:token>/",
        views.EmailLinkView.as_view(),
        name="privacy-email-link",
    ),
]
