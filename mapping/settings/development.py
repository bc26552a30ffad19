"""Development and demo: the project-local PostGIS cluster, debug on, a throwaway key."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production-" + "x" * 20
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

LOCAL_DATABASE_URL = "postgis://mapping@127.0.0.1:{port}/{name}".format(
    port=env.int("DB_PORT", default=54329), name=env.str("DB_NAME", default="mapping")
)
DATABASES = {"default": database_from_env(LOCAL_DATABASE_URL)}

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# runserver serves static files itself; WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
