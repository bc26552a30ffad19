from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from contributions.views import photo
from layers import ogc
from mapping.health import healthz
from mapping.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/territories/", include("territories.urls")),
    path("api/projects/", include("contributions.urls")),
    path("photos/<uuid:photo_id>/<str:size>.jpg", photo, name="photo"),
    path("tiles/", include("layers.urls")),
    # GIS clients ask for the landing page with and without the trailing slash.
    path("ogc", ogc.landing),
    path("ogc/", include("layers.ogc_urls")),
    path("open311/v2/", include("contributions.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
]
