"""Test suite: the development database settings, fast hashing, no debug."""

from .development import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests keep one connection per database; the cluster may be restarted under them.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Parallel runs on one cluster (several checkouts, a helper shell) each need their own test
# database.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_mapping")}
# The cluster index is built in the request, inside the test's transaction, so every cluster
# test runs through it (a background thread would not see uncommitted test data).
CLUSTER_INDEX_MODE = "inline"
