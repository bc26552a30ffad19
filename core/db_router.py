"""Database router: lag-tolerant reads to a streaming replica, everything else to the primary.

A read goes to a replica only inside `core.db.reading_from(alias)`, which
`core.read_routing.ReplicaRoutingMiddleware` opens around the public map views (clusters,
tiles, list, exports, OGC API) for clients that have not written in the last
REPLICA_PIN_SECONDS. Writes, and reads everywhere else, go to the primary.
"""

from django.db import DEFAULT_DB_ALIAS

from core.db import REPLICA_PREFIX, read_alias

# Sessions and accounts: a session or sign-in written a moment ago must be found at once.
PRIMARY_ONLY_APPS = {"sessions", "auth", "account", "contenttypes", "admin"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = read_alias()
        if alias != DEFAULT_DB_ALIAS and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return alias
        return None  # Django's default: the instance's own database, else the primary

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return not db.startswith(REPLICA_PREFIX)
