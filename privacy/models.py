"""What privacy keeps: the projects' location rules and the opt-in profile answers."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contributions.models import Contribution, Kind, Project, Theme


class LocationMethod(models.TextChoices):
    GRID = "grid", _("snap to a grid")
    OFFSET = "offset", _("move by a stable offset")


class LocationRule(models.Model):
    """Where the public sees a project's contributions: generalised, never the exact place.

    The most specific rule wins (kind and theme, then theme, then kind, then any). The
    database applies it (privacy_public_location, privacy 0001); services.set_location_rules
    recomputes the project's public locations when rules change.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="location_rules")
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, blank=True, help_text=_("blank: any")
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("empty: any"),
    )
    method = models.CharField(_("method"), max_length=10, choices=LocationMethod.choices)
    precision_m = models.PositiveIntegerField(
        _("precision (m)"),
        validators=[MinValueValidator(10), MaxValueValidator(10_000)],
        help_text=_("grid cell size, or offset radius, in metres"),
    )

    class Meta:
        verbose_name = _("location rule")
        verbose_name_plural = _("location rules")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "theme"],
                nulls_distinct=False,
                name="one_location_rule_per_scope",
            )
        ]

    def __str__(self):
        return f"{self.method} {self.precision_m} m"


class AgeBracket(models.TextChoices):
    UNDER_18 = "under_18", _("under 18")
    FROM_18 = "18_29", _("18 to 29")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_59", _("45 to 59")
    FROM_60 = "60_74", _("60 to 74")
    FROM_75 = "75_plus", _("75 or more")


class ParticipantProfile(models.Model):
    """Optional, opt-in answers for representativeness; reported only in groups of 5 or more
    (selectors.profile_aggregates), never with the contribution."""

    contribution = models.OneToOneField(
        Contribution, on_delete=models.CASCADE, related_name="profile"
    )
    age_bracket = models.CharField(
        _("age bracket"), max_length=10, choices=AgeBracket.choices, blank=True
    )
    residence = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")

    def __str__(self):
        # Its contribution's id: the answers themselves are never shown one by one.
        return str(self.contribution_id)
