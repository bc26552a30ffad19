"""Rate limits over Django's cache (Redis in production, so every worker shares the counters).

A sliding-window counter: one cache counter per action, client and window (created with
`cache.add`, raised with `cache.incr`, both atomic in Redis and in the local-memory cache);
the previous window's count is weighted by how much of it still overlaps the last `period`
seconds. A client is its user id when signed in, else a hash of its address salted with a
random salt of the day: the raw address is never stored, and the counters expire with their
window. Limits come from settings.RATE_LIMITS ({"action": "count/period"}, e.g. "20/h").

Over the limit, `check` raises DomainError("rate_limited", status=429) with a Retry-After
header; the API, the pages and Open311 answer it in their own error format.
"""

import hashlib
import hmac
import ipaddress
import math
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
# Several names, one budget: withdrawing a vote counts as voting.
ALIASES = {"unvote": "vote"}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/h" -> (20, 3600); "5/10m" -> (5, 600)."""
    match = RATE.match(rate or "")
    if not match:
        raise ValueError(f"not a rate: {rate!r} (write count/period, like 20/h or 5/10m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIODS[unit]


def enabled() -> bool:
    return getattr(settings, "RATE_LIMITS_ENABLED", True)


def limit_for(action: str) -> tuple[int, int] | None:
    rate = getattr(settings, "RATE_LIMITS", {}).get(ALIASES.get(action, action))
    return parse_rate(rate) if rate else None


_salt = ("", "")  # (day, salt) as this process last read it from the cache


def _day_salt() -> str:
    """A random salt shared by every worker for the day, gone with the day's counters."""
    global _salt
    day = timezone.now().strftime("%Y%m%d")
    if _salt[0] == day:
        return _salt[1]
    key = f"ratelimit:salt:{day}"
    cache.add(key, secrets.token_hex(16), timeout=2 * 86400)
    salt = cache.get(key)
    if salt:  # kept only once the cache has one: every worker must hash with the same salt
        _salt = (day, salt)
    return salt or ""


def _trusted_networks(proxies) -> list:
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            continue  # a typo trusts nothing rather than everything
    return networks


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (TRUSTED_PROXIES).

    From a trusted proxy, X-Forwarded-For is read from the right (each proxy appends the
    address it was connected from) and the first address that is not itself a trusted proxy
    is the client; what a client wrote on the left of it is never believed. Without the header,
    X-Real-IP (one proxy's own view) is used; failing both, the proxy's address."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _trusted_networks(getattr(settings, "TRUSTED_PROXIES", []))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = hop
        if not _is_trusted(hop, networks):
            return hop
    if not hops:
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(real))
        except ValueError:
            return remote
    return client


def client_of(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    address = client_address(request)
    digest = hmac.new(
        (settings.SECRET_KEY + _day_salt()).encode(), address.encode(), hashlib.sha256
    ).hexdigest()
    return f"a{digest[:32]}"


def _increment(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between add and incr (the window's very end): start it again.
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


def hit(action: str, client: str, *, now: float | None = None) -> int | None:
    """Counts one request; None when allowed, else the seconds to wait (Retry-After)."""
    found = limit_for(action)
    if found is None or not enabled():
        return None
    limit, period = found
    now = time.time() if now is None else now
    window = int(now // period)
    elapsed = (now - window * period) / period
    prefix = f"ratelimit:{ALIASES.get(action, action)}:{client}"
    if hasattr(cache, "count_in_window"):  # Redis: one round trip (core.redis_cache)
        current, previous = cache.count_in_window(
            f"{prefix}:{window}", f"{prefix}:{window - 1}", timeout=2 * period + 1
        )
    else:
        current = _increment(f"{prefix}:{window}", timeout=2 * period + 1)
        previous = cache.get(f"{prefix}:{window - 1}") or 0
    if previous * (1 - elapsed) + current <= limit:
        return None
    if current > limit:
        # The current window alone is over: wait for it to end, plus the previous' weight.
        return max(1, math.ceil((window + 1) * period - now))
    # Wait until the previous window's share has faded enough: previous*(1-f) + current <= limit.
    needed = 1 - (limit - current) / previous
    return max(1, math.ceil((needed - elapsed) * period))


def check(request, action: str, *, client: str | None = None) -> None:
    """Raises DomainError (429, Retry-After) when this client is over the action's limit."""
    wait = hit(action, client or client_of(request))
    if wait is None:
        return
    raise DomainError(
        "rate_limited",
        _("Too many requests. Please wait %(seconds)d seconds before trying again.")
        % {"seconds": wait},
        status=429,
        extra={"retry_after": wait},
        headers={"Retry-After": str(wait)},
    )


class ApiReadThrottle:
    """DRF throttle (REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES): a generous limit on API reads.

    It raises the domain error itself, so the answer has the API's usual body and headers.
    """

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            check(request, "api_read")
        return True

    def wait(self):  # pragma: no cover - DRF asks only after a refusal, which never happens
        return None
