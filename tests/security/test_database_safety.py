"""Statement timeouts: requests are bounded, exports get a longer bound of their own."""

import pytest
from django.conf import settings
from django.db import connection

from layers.exports.ogr2ogr import pg_source

pytestmark = pytest.mark.django_db


def test_requests_run_under_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    assert value not in ("0", "0ms"), "requests would run unbounded"


def test_exports_get_the_longer_export_timeout(settings):
    settings.EXPORT_STATEMENT_TIMEOUT_MS = 123_456
    _source, env = pg_source()
    assert "statement_timeout=123456" in env["PGOPTIONS"]
    assert settings.EXPORT_STATEMENT_TIMEOUT_MS > 0


def test_the_export_timeout_is_longer_than_the_requests_one():
    options = settings.DATABASES["default"]["OPTIONS"]["options"]
    request_ms = int(options.split("statement_timeout=")[1].split()[0])
    assert request_ms < settings.EXPORT_STATEMENT_TIMEOUT_MS
