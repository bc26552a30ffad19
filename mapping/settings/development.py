"""Development and demo: the project-local PostGIS cluster, debug on, a throwaway key."""

import os
import sys
import time

from .base import *

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "development-only-key-never-use-in-production-" + "x" * 20
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

LOCAL_DATABASE_URL = "postgis://mapping@127.0.0.1:{port}/{name}".format(
    port=env.int("DB_PORT", default=54329), name=env.str("DB_NAME", default="mapping")
)
DATABASES = {"default": database_from_env(LOCAL_DATABASE_URL)}
DATABASES.update(replica_databases(DATABASES["default"]))

# The project-local Redis (scripts/localredis.sh, started by make db).
if not REDIS_URL:
    REDIS_URL = "redis://127.0.0.1:{}/0".format(env.int("REDIS_PORT", default=56379))
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mapping"),
        }
    }
if "mapping.settings.test" in sys.modules:
    # A test run (the test settings import this module) gets keys of its own: counters and
    # cached layers never leak from one run, or a parallel suite, into another.
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}-{time.time_ns()}"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# runserver serves static files itself; WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
