"""The site's URLs plus the staff export, until the export route is mounted in mapping.urls."""

from django.urls import include, path

from mapping.urls import urlpatterns as site

urlpatterns = [path("api/projects/", include("staff.export_urls")), *site]
