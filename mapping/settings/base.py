"""Settings shared by every environment, read from the environment (12-factor).

Environment modules (development, test, production) import this and set their defaults.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    # Real environment variables win over the file.
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    # Before allauth: its page layouts are overridden by the site's.
    "mapping",
    "allauth",
    "allauth.account",
    "territories",
    "contributions",
    "questionnaires",
    "layers",
    "staff",
    "privacy",
    "open311",
    "csp",
    "leaflet",  # django-leaflet: Leaflet, its form widget and admin, configured by LEAFLET_CONFIG
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside sessions and locale: it routes reads before them and trims their Vary after.
    "core.read_routing.ReplicaRoutingMiddleware",
    "core.input_guard.InputGuardMiddleware",  # before sessions: NUL bytes, malformed ids (400)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "mapping.urls"
WSGI_APPLICATION = "mapping.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mapping.context.languages",
            ],
        },
    },
]


def database_from_env(default_url=None):
    """The default database from DATABASE_URL, with health checks and a statement timeout."""
    url = env.str("DATABASE_URL", default=default_url)
    if not url:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Point it at a PostGIS database, for example "
            "postgis://user:password@host:5432/dbname"
        )
    db = environ.Env.db_url_config(url, engine="django.contrib.gis.db.backends.postgis")
    if db["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        # A postgres:// URL still means PostGIS here: the application needs spatial types.
        db["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    timeout_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
    options = db.setdefault("OPTIONS", {})
    # JIT compilation costs tens of milliseconds on the map's short, high-cost-estimate
    # queries (clusters, tiles) and gains nothing there; analytic sessions can turn it on.
    jit = "on" if env.bool("DB_JIT", default=False) else "off"
    options["options"] = (
        f"{options.get('options', '')} -c statement_timeout={timeout_ms} -c jit={jit}".strip()
    )
    options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
    db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    return db


AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Residents sign in with a code sent to their email: no password to invent or forget.
# Sign-in emails name the site by SITE_NAME (else the product's translated name) and SITE_URL.
# An accepted login code verifies the address it was sent to, so a staff member whose account
# was made in the administration signs in the first time with one code, not two.
ACCOUNT_ADAPTER = "mapping.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_PREVENT_ENUMERATION = True
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("French")), ("it", _("Italian")), ("en", _("English"))]
# LOCALE_DIR lets the translation check extract into a scratch copy.
LOCALE_PATHS = [env.path("LOCALE_DIR", default=BASE_DIR / "locale")]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [  # DRF's three, JSON nested too deep refused (core/parsers.py)
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Participatory mapping API",
    "DESCRIPTION": "Projects, territories and contributions as GeoJSON (RFC 7946, WGS84).",
    "VERSION": "0.1.0",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# GDAL older than 3.9 cannot forbid file/network access while parsing a spatial reference.
# Spatial references here come from the code (fixed SRIDs) and from staff-run imports, never
# from resident input (GeoJSON "crs" members are refused), so the warning is acknowledged.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["gis.W001"])

# Email: the console in development and the demo, SMTP (EMAIL_URL) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="participation@localhost")
# The absolute address of the site, for links in emails and printed QR codes.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The name emails and pages give the site; empty: "Participatory mapping" in the reader's language.
SITE_NAME = env.str("SITE_NAME", default="")

# The accessibility statement (RGAA): who runs the service and how to reach them.
ACCESSIBILITY_ORGANISATION = env.str("ACCESSIBILITY_ORGANISATION", default="PITER ALPIMED")
ACCESSIBILITY_CONTACT = env.str("ACCESSIBILITY_CONTACT", default=DEFAULT_FROM_EMAIL)
ACCESSIBILITY_STATEMENT_DATE = datetime.date.fromisoformat(
    env.str("ACCESSIBILITY_STATEMENT_DATE", default="2026-11-22")
)

# ------------------------------------------------------------ maps (docs/basemap.md)
# Every map is Leaflet through django-leaflet, configured here and nowhere else. A tile service
# is a third party the privacy notice must name: none unless the operator sets one
# (MAP_BASEMAP_URL, a {z}/{x}/{y} template, with MAP_BASEMAP_ATTRIBUTION). Without one, or
# when its tiles fail, mapping/static/mapping/basemap.js draws a basemap this server serves:
# a tile archive (MAP_BASEMAP_ARCHIVE, settings/basemap.py) or the territories themselves.
_tiles_url = env.str("MAP_BASEMAP_URL", default="")
_tiles_attribution = env.str("MAP_BASEMAP_ATTRIBUTION", default="")
# Glyphs for the labels of the MapLibre style served to GIS clients (docs/tiles.md); empty:
# MapLibre's demonstration font server, which only those clients ask.
MAP_GLYPHS_URL = env.str("MAP_GLYPHS_URL", default="")
_basemap_js = [
    "vendor/pmtiles/pmtiles.js",
    "vendor/protomaps-leaflet/protomaps-leaflet.js",
    "mapping/basemap.js",
]
LEAFLET_CONFIG = {
    "TILES": (
        [
            (
                _("Basemap"),
                _tiles_url,
                {"attribution": _tiles_attribution, "referrerPolicy": "strict-origin"},
            )
        ]
        if _tiles_url
        else []
    ),
    "ATTRIBUTION_PREFIX": "",  # no link to Leaflet's site in the corner of small screens
    "MIN_ZOOM": 6,
    "MAX_ZOOM": 19,
    # Where maps open when nothing else says (the demo territory, PITER ALPIMED, with a margin);
    # a project's map fits its own perimeter.
    "SPATIAL_EXTENT": tuple(
        env.list("MAP_SPATIAL_EXTENT", cast=float, default=[6.5, 43.4, 8.4, 44.9])
    ),
    "RESET_VIEW": False,
    "PLUGINS": {
        # The basemap on every map: the renderer of vector tiles and archives, then the site's
        # script that picks the basemap when django-leaflet creates a map (map:init).
        "basemap": {
            "js": _basemap_js,
            "css": ["mapping/basemap.css"],
            "auto-include": True,
        },
        # django-leaflet's form widget (admin, staff forms) loads this plugin, not the one above.
        "forms": {"js": _basemap_js, "css": ["mapping/basemap.css"]},
    },
}

# ------------------------------------------------------------ privacy (docs/privacy.md)
# The controller named on the privacy notice, and where residents send their requests.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="")
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="")
# Emails and personal data of a closed project are removed this long after it closes
# (manage.py apply_retention, scheduled by the operator).
RETENTION_DAYS = env.int("RETENTION_DAYS", default=365)
# How long the link sent to an anonymous contributor's email stays valid.
PRIVACY_LINK_MAX_AGE_HOURS = env.int("PRIVACY_LINK_MAX_AGE_HOURS", default=24)


def _basemap_source(url):
    """The basemap's origin for the CSP ({s} subdomains become a wildcard), or None."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    if not (parts.scheme and parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# What the pages use and nothing more: the site's own scripts, styles, images and API, and the
# tile service only when one is configured; style attributes only (staff pages and Leaflet size
# and place elements with them), never inline <style>. Inline scripts only with the request's
# nonce: django-leaflet's form widget writes one (django-csp sends the nonce only on pages
# that use it). Violations are reported to privacy.views.csp_report.
_basemap = _basemap_source(_tiles_url)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([_basemap] if _basemap else [])],
        "connect-src": ["'self'", *([_basemap] if _basemap else [])],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": env.str("CSP_REPORT_URI", default="/csp-report/"),
    },
}

# ------------------------------------------------------------ scale: shared cache, replicas
# The shared cache (computed clusters; rate limits may share it): Redis when REDIS_URL is set,
# else this process's memory (correct, only not shared between app servers).
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mapping"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Each worker answers the unfiltered cluster map from an in-memory index of the project's
# public points (about 105 MB per million), rebuilt in a background thread after a change
# ("background"), in the request ("inline") or never ("off": SQL only).
CLUSTER_INDEX_MODE = env.str("CLUSTER_INDEX_MODE", default="background")
CLUSTER_INDEX_PROJECTS = env.int("CLUSTER_INDEX_PROJECTS", default=4)
# Lag-tolerant reads (map, clusters, tiles, list, exports, OGC API) go to streaming replicas
# when DATABASE_REPLICA_URLS is set; writes and a client's reads just after it wrote (for
# REPLICA_PIN_SECONDS) go to the primary. See mapping/db_router.py and docs/scaling.md.
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)


def replica_databases(primary):
    """DATABASES entries replica_1, replica_2, ... from DATABASE_REPLICA_URLS (comma-separated),
    with the primary's options; under tests each mirrors the primary's test database."""
    import copy

    replicas = {}
    for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
        parsed = environ.Env.db_url_config(url)
        db = copy.deepcopy(primary)
        for name in ("HOST", "PORT", "USER", "PASSWORD", "NAME"):
            if parsed.get(name):
                db[name] = parsed[name]
        db["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = db
    return replicas


# ------------------------------------------------------------ abuse control (docs/security.md)
# Per client (signed-in user, else a salted hash of the address) and action, over the shared
# cache: "count/period" with s, m, h or d (e.g. "20/h", "5/10m"). RATE_LIMITS in the
# environment overrides entries: RATE_LIMITS="contribution=100/h,api_read=5000/m".
RATE_LIMITS = {
    "contribution": "20/h",
    "questionnaire_response": "30/h",
    "vote": "120/h",
    "comment": "30/h",
    "follow": "30/h",
    "report": "30/h",
    "email_link": "5/h",  # links mailed to confirm one address (votes, follows), whoever asks
    "open311": "120/h",  # per API key
    "api_read": "1200/m",  # every GET of the API, clusters and tiles included
    **env.dict("RATE_LIMITS", default={}),
}
# A test run shares one cache prefix and one client address across the whole suite: limits
# are off there unless a test turns them on (tests/security does, with low limits).
import sys  # noqa: E402 - kept with the block that needs it

# The reverse proxies in front of the application (addresses or networks, comma-separated,
# e.g. "127.0.0.1,::1"): only a request from one of them has its client address read from
# X-Forwarded-For (core.ratelimit.client_address); every other request is its REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
RATE_LIMITS_ENABLED = env.bool(
    "RATE_LIMITS_ENABLED", default="mapping.settings.test" not in sys.modules
)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["core.ratelimit.ApiReadThrottle"]
# Sign-in (django-allauth, over the same cache): requests per address, and a lockout after
# repeated failures for one account (5 failed attempts: locked for 15 minutes).
ACCOUNT_RATE_LIMITS = {
    "login": env.str("LOGIN_RATE_LIMIT", default="30/m/ip"),
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/15m/key"),
    "request_login_code": "20/m/ip,3/m/key",
    "signup": "20/m/ip",
}
# Photos decoded at once (each may take up to 224 MiB, contributions/photos.py): per process,
# and across every worker sharing the cache (0: no shared bound). Beyond, an upload waits up
# to 5 s for a slot, then is answered 503 photos_busy with Retry-After.
PHOTO_DECODES = env.int("PHOTO_DECODES", default=2)
PHOTO_DECODES_SHARED = env.int("PHOTO_DECODES_SHARED", default=4)
# Exports run long queries on ogr2ogr's own connection: a longer statement timeout than
# requests' (DB_STATEMENT_TIMEOUT_MS), still a bound.
EXPORT_STATEMENT_TIMEOUT_MS = env.int("EXPORT_STATEMENT_TIMEOUT_MS", default=600_000)

from .backup import *  # noqa: E402 - where backups keep their copies (docs/backup.md)
from .basemap import *  # noqa: E402 - the basemap archive, beside LEAFLET_CONFIG
