"""Test suite: the development database settings, fast hashing, no debug."""

from .development import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests keep one connection per database; the cluster may be restarted under them.
DATABASES["default"]["CONN_MAX_AGE"] = 0
