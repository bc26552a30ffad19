"""The keys of third-party applications posting reports through Open311 (GeoReport v2)."""

import secrets
from functools import partial

from django.db import models
from django.utils.translation import gettext_lazy as _

from contributions.models import Project


class ApiClient(models.Model):
    """A third-party application posting reports through Open311 (GeoReport v2) with a key."""

    name = models.CharField(_("name"), max_length=120)
    # A standard-library default (no function of this module), so migrations never import it.
    key = models.CharField(
        _("API key"),
        max_length=64,
        unique=True,
        default=partial(secrets.token_urlsafe, 32),
        editable=False,
    )
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

    def covers(self, project) -> bool:
        """Whether this key may post to the project: an empty list means every project."""
        projects = self.projects.all()
        return not projects.exists() or projects.filter(pk=project.pk).exists()
