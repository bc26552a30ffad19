"""The CSP report endpoint: one address whatever the language (browsers post to it)."""

from django.urls import path

from privacy import views

urlpatterns = [path("", views.csp_report, name="csp-report")]
