"""The site's URLs plus the privacy pages, as mapping/urls.py includes them."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from mapping.urls import urlpatterns as site

urlpatterns = [
    path("csp-report/", include("privacy.report_urls")),
    *site,
    *i18n_patterns(path("", include("privacy.urls")), prefix_default_language=True),
]
