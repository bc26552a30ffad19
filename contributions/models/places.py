"""Following a place: a commune, a drawn area or a circle around a point, for one project
or all, emailed at once or in a daily or weekly digest of what happened there.

The place is kept as a (multi)polygon in the storage SRID, whatever the resident chose, so
that matching a published contribution is one ST_Intersects against this table's GiST index
(contributions.services.places). Only a confirmed follow (`confirmed_at`) is emailed."""

import secrets
import uuid
from functools import partial

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contributions.models.contributions import Contribution
from contributions.models.projects import Project
from core.postgis import STORAGE_SRID
from territories.models import Territory

# The bounds of a place (docs/contributions.md, "Following a place"): a circle's radius, and
# a drawn area's size and number of corners.
PLACE_RADIUS_MIN_M = 50
PLACE_RADIUS_MAX_M = 10_000
PLACE_AREA_MAX_M2 = 400_000_000  # 400 km², more than any commune of the reference territory
PLACE_AREA_MAX_POINTS = 2_000
PLACE_LABEL_MAX_LENGTH = 200


class PlaceKind(models.TextChoices):
    COMMUNE = "commune", _("commune")
    AREA = "area", _("drawn area")
    CIRCLE = "circle", _("circle around a point")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("at once, one email per event")
    DAILY = "daily", _("a daily digest")
    WEEKLY = "weekly", _("a weekly digest")


class PlaceEventKind(models.TextChoices):
    PUBLISHED = "published", _("new contribution")
    STATUS = "status", _("status change or official answer")
    RESULT = "result", _("new result")


class PlaceFollow(models.Model):
    """Someone to tell what happens in a place. Unconfirmed (no `confirmed_at`), it receives
    nothing: its address's owner has not yet pressed the button of the mailed link."""

    # A UUID: the signed confirmation link names it (contributions.email_links).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Lets the follower stop following from an email, without an account.
    token = models.CharField(
        max_length=64, unique=True, default=partial(secrets.token_urlsafe, 24), editable=False
    )
    # None: every project whose contributions fall in the place.
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="place_follows"
    )
    kind = models.CharField(_("kind of place"), max_length=10, choices=PlaceKind.choices)
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    centre = models.PointField(_("centre"), srid=STORAGE_SRID, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    # The place itself: the commune's boundary (a copy), the drawn area, or the circle as a
    # geodesic buffer. Indexed with GiST (spatial_index, Django's default).
    geom = models.MultiPolygonField(_("place"), srid=STORAGE_SRID)
    label = models.CharField(_("label"), max_length=PLACE_LABEL_MAX_LENGTH)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("place follow")
        verbose_name_plural = _("place follows")
        indexes = [models.Index(fields=["frequency", "confirmed_at"])]

    def __str__(self):
        return self.label

    def display_label(self) -> str:
        """How the place reads in the active language: "Tende", "a 500 m circle around a point
        in Tende" (`label` keeps the commune's name only)."""
        if self.kind == PlaceKind.CIRCLE:
            if self.label:
                return gettext("a %(radius)d m circle around a point in %(place)s") % {
                    "radius": self.radius_m,
                    "place": self.label,
                }
            return gettext("a %(radius)d m circle") % {"radius": self.radius_m}
        if self.kind == PlaceKind.AREA:
            if self.label:
                return gettext("an area drawn around %(place)s") % {"place": self.label}
            return gettext("a drawn area")
        return self.label


class PlaceEvent(models.Model):
    """Something that happened in a followed place, waiting for the follower's digest."""

    follow = models.ForeignKey(PlaceFollow, on_delete=models.CASCADE, related_name="events")
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=PlaceEventKind.choices)
    # What an item other than a contribution (a result) shows in a digest: its title, link.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("place event")
        verbose_name_plural = _("place events")
        indexes = [models.Index(fields=["follow", "created_at"])]
