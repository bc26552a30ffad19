from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from contributions.photo_urls import PHOTO_PATH
from contributions.views import photo
from layers import ogc
from mapping import feeds, partner_views, place_views, views
from mapping.health import healthz
from mapping.result_views import ResultView, milestone_photo, results_geojson

# The admin signs in through the site's sign-in (an emailed code, rate limits, lockout after
# failures) rather than its own unguarded password form.
admin.site.login = secure_admin_login(admin.site.login)

# Machine interfaces keep one address whatever the language.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/territories/", include("territories.urls")),
    path("api/projects/", include("staff.export_urls")),
    path("api/projects/", include("contributions.urls")),
    path("api/projects/", include("questionnaires.urls")),
    path(f"{PHOTO_PATH}<uuid:photo_id>/<str:size>.jpg", photo, name="photo"),
    path("", include("layers.urls")),
    # GIS clients ask for the landing page with and without the trailing slash.
    path("ogc", ogc.landing),
    path("ogc/", include("layers.ogc_urls")),
    path("open311/v2/", include("open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("csp-report/", include("privacy.report_urls")),
]

# Pages carry their language in the address, so a shared link opens in the sender's language;
# an address without one redirects to the browser's language.
urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("p/<slug:slug>/", views.ProjectView.as_view(), name="project"),
    path("p/<slug:slug>/list/", views.ProjectListView.as_view(), name="project-list"),
    path("p/<slug:slug>/feed.atom", feeds.project_feed, name="project-feed"),
    path(
        "p/<slug:slug>/c/<uuid:contribution_id>/",
        views.ContributionView.as_view(),
        name="contribution",
    ),
    path("p/<slug:slug>/results/<uuid:pk>/", ResultView.as_view(), name="result"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("unfollow/<str:token>/", views.UnfollowView.as_view(), name="unfollow"),
    path("confirm/<str:token>/", views.EmailLinkView.as_view(), name="email-link"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["mapping"]), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("", include("privacy.urls")),
    path("staff/", include("staff.urls")),
    prefix_default_language=True,
)

# Results ("you said, we did"): their page, and the map's layer (one address, any language).
urlpatterns += [
    path("api/projects/<slug:slug>/results.geojson", results_geojson, name="results-geojson"),
    path("result-photos/<uuid:photo_id>/<str:size>.jpg", milestone_photo, name="milestone-photo"),
]

# Following a place (mapping.place_views).
urlpatterns += i18n_patterns(
    path(
        "p/<slug:slug>/follow-place/",
        place_views.FollowPlaceView.as_view(),
        name="follow-place",
    ),
    path(
        "follow-place/confirm/<str:token>/",
        place_views.ConfirmPlaceFollowView.as_view(),
        name="place-follow-confirm",
    ),
    path(
        "follow-place/stop/<str:token>/",
        place_views.StopPlaceFollowView.as_view(),
        name="place-unfollow",
    ),
    prefix_default_language=True,
)

# Partner projects put to the residents' vote (mapping.partner_views): their pages, the
# results of the vote, and their photos (one address, any language).
urlpatterns += i18n_patterns(
    path(
        "p/<slug:slug>/partner-projects/results/",
        partner_views.PartnerResultsView.as_view(),
        name="partner-results",
    ),
    path(
        "p/<slug:slug>/partner-projects/<uuid:pk>/",
        partner_views.PartnerProjectView.as_view(),
        name="partner-project",
    ),
    prefix_default_language=True,
)
urlpatterns += [
    path(
        "partner-photos/<uuid:photo_id>/<str:size>.jpg",
        partner_views.partner_photo,
        name="partner-photo",
    ),
]

# Questionnaires answered on the map (mapping.questionnaire_urls): /<lang>/p/<slug>/q/<qslug>/.
urlpatterns += i18n_patterns(
    path("p/<slug:slug>/q/", include("mapping.questionnaire_urls")),
    prefix_default_language=True,
)
