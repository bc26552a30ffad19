"""Technical records: idempotent submissions and the read-only location key."""

from django.contrib.gis.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed on retries."""

    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_per_scope")
        ]


_KEY_READ_ONLY = "contributions_location_key is read-only: only its migration writes it."


class _ReadOnlyQuerySet(models.QuerySet):
    def _refuse(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)

    update = delete = bulk_create = bulk_update = _refuse


class LocationKey(models.Model):
    """The database-held random key of the offset location rule (contributions 0007).

    Whoever knows it can undo the offsets: read-only here, never in the admin, never shown.
    """

    # The table has no id column: its single value stands in as the primary key for the ORM.
    key = models.TextField(primary_key=True, editable=False)

    objects = _ReadOnlyQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "contributions_location_key"
        default_permissions = ()

    def __str__(self):
        return "location key"  # never the key itself (logs, error pages)

    def save(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)

    def delete(self, *args, **kwargs):
        raise TypeError(_KEY_READ_ONLY)
