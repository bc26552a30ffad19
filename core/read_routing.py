"""Read routing for the lag-tolerant public views, read-your-own-writes, and cache headers."""

import time

from django.conf import settings
from django.utils.cache import patch_vary_headers

from core.db import pick_replica, reading_from, replica_aliases, set_read_alias

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Views whose readers accept data a moment old: the map, the list, exports, OGC API.
LAG_TOLERANT_VIEWS = {
    "clusters",
    "tile",
    "basemap-territory",
    "contribution-list",
    "project-communes",
    "opendata",
    "ogc-collections",
    "ogc-collection",
    "ogc-items",
    "ogc-item",
}
PIN_COOKIE = "mapping_primary"
# Headers a shared response must not vary on (see shared_cacheable).
NOT_VARYING = {"accept-language", "cookie"}


def pin_seconds() -> int:
    return getattr(settings, "REPLICA_PIN_SECONDS", 15)


def pinned(request) -> bool:
    """Whether this client wrote recently, so its reads must see its own writes."""
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


def shared_cacheable(response):
    """Marks a response whose body is the same for every client (no translated text, nothing
    per user), so the middleware keeps Accept-Language and Cookie out of its Vary."""
    response.shared_cacheable = True
    return response


class ReplicaRoutingMiddleware:
    """Sits outside the session and locale middleware (it must see their Vary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.read_alias = None
        with reading_from(None):
            response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            # Every replica may lag: this client reads from the primary for a while, so its
            # new contribution, vote or comment shows at once.
            until = time.time() + pin_seconds()
            response.set_cookie(
                PIN_COOKIE, f"{until:.0f}", max_age=pin_seconds(), httponly=True, samesite="Lax"
            )
        if getattr(response, "shared_cacheable", False) and response.has_header("Vary"):
            kept = [
                v.strip()
                for v in response["Vary"].split(",")
                if v.strip() and v.strip().lower() not in NOT_VARYING
            ]
            del response["Vary"]
            if kept:
                patch_vary_headers(response, kept)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in LAG_TOLERANT_VIEWS
            and replica_aliases()
            and not pinned(request)
        ):
            alias = pick_replica()
            if alias:
                request.read_alias = alias
                set_read_alias(alias)  # until __call__'s reading_from block ends
        return None
