"""Liveness and readiness: the database answers and PostGIS is installed."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_version()")
            (postgis_version,) = cursor.fetchone()
    except DatabaseError as exc:
        missing_postgis = "postgis_version" in str(exc)
        code = "postgis_missing" if missing_postgis else "database_unavailable"
        detail = (
            _("The database answers but the PostGIS extension is not installed.")
            if missing_postgis
            else _("The database cannot be reached.")
        )
        return JsonResponse(
            {"status": "unavailable", "code": code, "detail": detail, "reason": str(exc).strip()},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "postgis": postgis_version})
