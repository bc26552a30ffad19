"""Which database a read goes to: the primary, or a streaming replica for lag-tolerant reads.

The map's fast paths (clusters, tiles, the list, exports) run raw SQL through
`django.db.connection`, the proxy to the default database. Inside `reading_from(alias)` that
proxy resolves to the replica's connection instead, for this thread only, so the raw SQL
follows the same choice as the ORM (core.db_router) without each selector taking a
`using` argument. Writes never go through this: services use the ORM (routed to the primary)
and `transaction.atomic()` (the default alias itself, not the proxy).
"""

import contextvars
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db import connection as default_proxy

log = logging.getLogger(__name__)

REPLICA_PREFIX = "replica_"
_read_alias = contextvars.ContextVar("mapping_read_alias", default=None)


def replica_aliases() -> list[str]:
    """The configured replicas (DATABASE_REPLICA_URLS), in order."""
    return sorted(alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX))


def read_alias() -> str:
    """The database the current lag-tolerant read goes to (the primary outside one)."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


def read_connection():
    """The connection for a lag-tolerant raw SQL read (what `django.db.connection` gives
    inside `reading_from`, spelled out)."""
    return connections[read_alias()]


@contextmanager
def reading_from(alias: str | None):
    token = _read_alias.set(alias if alias and alias != DEFAULT_DB_ALIAS else None)
    try:
        yield
    finally:
        _read_alias.reset(token)


def set_read_alias(alias: str | None) -> None:
    """For the rest of the enclosing `reading_from` block (the middleware's request)."""
    _read_alias.set(alias if alias and alias != DEFAULT_DB_ALIAS else None)


_next = 0


def pick_replica() -> str | None:
    """A reachable replica, round robin; None (the primary) when none answers."""
    global _next
    aliases = replica_aliases()
    for _ in range(len(aliases)):
        alias = aliases[_next % len(aliases)]
        _next += 1
        try:
            connections[alias].ensure_connection()
            return alias
        except OperationalError:
            # A replica being rebuilt or restarted must not take the map down with it.
            log.warning("replica %s is unreachable; reading from the next one", alias)
    return None


class _RoutedConnections:
    """What `django.db.connection` looks its connection up in: the default alias resolves to
    the current read database; everything else is the real handler."""

    def __init__(self, handler):
        self._handler = handler

    def __getitem__(self, alias):
        if alias == DEFAULT_DB_ALIAS:
            alias = _read_alias.get() or alias
        return self._handler[alias]

    def __getattr__(self, name):
        return getattr(self._handler, name)


def _install():
    proxied = default_proxy.__dict__.get("_connections")
    if proxied is None:  # another Django version: raw SQL then stays on the primary
        log.warning("django.db.connection has no _connections; raw SQL reads use the primary")
        return
    if not isinstance(proxied, _RoutedConnections):
        default_proxy.__dict__["_connections"] = _RoutedConnections(proxied)


_install()
