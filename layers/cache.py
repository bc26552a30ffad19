"""Caching of map layers: HTTP validators keyed by the project's data version, and the
computed clusters in the shared cache (Redis).

The version is the project's row of layers_version, bumped by the contribution triggers in
the same transaction as the change. Its transaction id (xmin) goes into the key with it:
ids are never reused, so a version number seen again after a rolled-back transaction or a
re-created database cannot bring back another state's clusters.
"""

import hashlib
import json
import logging

from django.core.cache import cache
from django.db import connections
from django.http import Http404
from django.utils.http import parse_etags

from contributions.models import Project
from core.db import read_connection
from core.read_routing import pinned

log = logging.getLogger(__name__)

MAX_AGE = 60  # seconds a browser or HTTP cache in front may reuse a response unasked
STORE_SECONDS = 600  # computed clusters kept in the shared cache (a new version replaces them)


def data_version(project) -> str:
    """The project's data version, as read where this request reads its data."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT version, xmin::text FROM layers_version WHERE project_id = %s", [project.pk]
        )
        row = cursor.fetchone()
    return _version_string(project.pk, project.perimeter_id, *(row or (None, None)))


def project_and_version(slug: str):
    """The project (its other fields deferred) and its data version, in one query: the map
    layers' hot path needs only these before answering from a cache."""
    connection = read_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.slug, p.perimeter_id, v.version, v.xmin::text
            FROM contributions_project p LEFT JOIN layers_version v ON v.project_id = p.id
            WHERE p.slug = %s
            """,
            [slug],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    pk, slug, perimeter_id, version, xid = row
    project = Project.from_db(
        connection.alias, ["id", "slug", "perimeter_id"], [pk, slug, perimeter_id]
    )
    return project, _version_string(pk, perimeter_id, version, xid)


def _version_string(pk, perimeter_id, version, xid) -> str:
    primary = connections["default"].settings_dict
    version, xid = (version, xid) if version is not None else (0, "-")
    return f"{primary['NAME']}@{primary['PORT']}:{pk}:{perimeter_id}:{version}:{xid}"


def _canonical(filters) -> dict:
    """The filters in one spelling: list order does not change the result."""
    out = {}
    for name, value in sorted(vars(filters).items()):
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            value = sorted(str(v) for v in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out


def clusters_key(version: str, zoom: int, bounds, filters) -> str:
    # The viewport exactly as asked (mercator, 1 mm): clusters are exact to it, so a snapped
    # key would hand one viewport another's edge counts. Clients that snap their viewport
    # to the cluster grid share entries (and HTTP cache hits) across pans.
    spec = json.dumps(
        [version, zoom, [round(v, 3) for v in bounds], _canonical(filters)],
        sort_keys=True,
        default=str,
    )
    return "clusters:" + hashlib.sha256(spec.encode()).hexdigest()


def etag(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def not_modified(request, tag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or tag in tags or f"W/{tag}" in tags


def headers(request, tag: str) -> dict:
    """Validators and freshness for a map layer response.

    A client that has just written reads its own writes from the primary: its responses are
    private and revalidated, never stored by a shared cache for others nor served stale to it.
    """
    control = "private, no-cache" if pinned(request) else f"public, max-age={MAX_AGE}"
    return {"ETag": tag, "Cache-Control": control}


def get(key: str):
    try:
        return cache.get(key)
    except Exception:  # a cache outage slows the map down, never breaks it
        log.warning("shared cache unavailable: clusters computed without it", exc_info=True)
        return None


def put(key: str, body: bytes) -> None:
    try:
        cache.set(key, body, STORE_SECONDS)
    except Exception:  # as above
        log.warning("shared cache unavailable: clusters not stored", exc_info=True)
