"""The keys of third-party applications posting reports through Open311 (GeoReport v2)."""

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from contributions.models import Project


def key_digest(key: str) -> str:
    """What is stored of a key: its SHA-256. A key is 256 random bits, so a fast hash is
    enough (nothing to guess), and a database dump gives no usable key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """A third-party application posting reports through Open311 (GeoReport v2) with a key.

    The key is generated on creation and exists in memory only then (`key`, to show once);
    the database keeps its digest and its first characters, to recognise it in a list.
    """

    name = models.CharField(_("name"), max_length=120)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("API key starts with"), max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    projects = models.ManyToManyField(
        Project,
        verbose_name=_("projects"),
        blank=True,
        related_name="api_clients",
        help_text=_("the projects this key may post to; none means every project"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.key_digest:
            self.key = secrets.token_urlsafe(32)
            self.key_digest, self.key_prefix = key_digest(self.key), self.key[:4]
        super().save(*args, **kwargs)

    def covers(self, project) -> bool:
        """Whether this key may post to the project: an empty list means every project."""
        projects = self.projects.all()
        return not projects.exists() or projects.filter(pk=project.pk).exists()
