"""Territories (communes, provinces, perimeters...) and their subdivided pieces.

A boundary update never rewrites a territory row in place: the old row is closed
(`valid_until`) and a new generation is created, so whatever was attributed to the old row
keeps pointing at the boundary that was in force then.
"""

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.postgis import STORAGE_SRID


class TerritoryKind(models.TextChoices):
    COMMUNE = "commune", _("commune")
    INTERCOMMUNALITY = "intercommunality", _("intercommunality")
    PROVINCE = "province", _("province")
    REGION = "region", _("region")
    COUNTRY = "country", _("country")
    PERIMETER = "perimeter", _("project perimeter")
    OTHER = "other", _("other")


class TerritoryQuerySet(models.QuerySet):
    def current(self):
        """The boundaries in force now (one generation per code and kind)."""
        return self.filter(valid_until__isnull=True)

    def of_kind(self, kind):
        return self.filter(kind=kind)

    def communes(self):
        return self.current().of_kind(TerritoryKind.COMMUNE)

    def with_codes(self, codes):
        return self.filter(code__in=list(codes))

    def population_years(self):
        """[(country, year), ...]: the reference years of these territories' populations.
        A per-inhabitant figure says them, since each country's figures have their own."""
        pairs = self.filter(population__isnull=False).values_list("country", "population_year")
        return sorted(set(pairs), key=lambda pair: (pair[0], pair[1] or 0))


class Territory(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    kind = models.CharField(_("kind"), max_length=32, choices=TerritoryKind.choices)
    code = models.CharField(
        _("official code"), max_length=32, help_text=_("INSEE, ISTAT or another official code")
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # Figures from two countries come from different years (INSEE yearly, ISTAT census):
    # a per-inhabitant figure says which year it divides by.
    population_year = models.PositiveSmallIntegerField(
        _("population year"), null=True, blank=True, help_text=_("reference year of the population")
    )
    geom = models.MultiPolygonField(_("boundary"), srid=STORAGE_SRID)
    # Kept by a database trigger (see migrations): area in square metres, on the spheroid.
    area_m2 = models.FloatField(_("area (m²)"), null=True, editable=False)
    # Where the name goes on a map: the centre of the largest circle inside the boundary, kept
    # by the database (territories_label_point) since it costs far more than drawing a tile.
    label_point = models.PointField(_("label point"), srid=STORAGE_SRID, null=True, editable=False)
    generation = models.PositiveIntegerField(_("generation"), default=1)
    valid_from = models.DateTimeField(_("valid from"), auto_now_add=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # For perimeters: the territories whose union it is.
    members = models.ManyToManyField(
        "self", verbose_name=_("members"), symmetrical=False, blank=True, related_name="perimeters"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=Q(valid_until__isnull=True),
                name="territory_current_code_unique",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(valid_until__isnull=True),
                name="territory_current_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "code", "generation"], name="territory_generation_unique"
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="territory_geom_valid"),
        ]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_current(self):
        return self.valid_until is None


class TerritoryPiece(models.Model):
    """A small piece of a territory (ST_Subdivide), so point lookups touch few vertices.

    Written only by the database trigger that follows the territory's boundary.
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="pieces")
    geom = models.PolygonField(srid=STORAGE_SRID)

    class Meta:
        verbose_name = _("territory piece")
        verbose_name_plural = _("territory pieces")
        default_permissions = ("view",)


class TerritoryName(models.Model):
    """Another name a territory goes by in a language: its official name with the article a
    source dropped (La Brigue), or an exonym (Nizza, Vintimille). Keyed by kind and official
    code, not by row, so the names outlive a boundary re-import."""

    kind = models.CharField(_("kind"), max_length=32, choices=TerritoryKind.choices)
    code = models.CharField(_("official code"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("territory name")
        verbose_name_plural = _("territory names")
        ordering = ["kind", "code", "language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "language", "name"], name="territory_name_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self):
        return f"{self.name} ({self.language}, {self.code})"


class TerritoryNow(models.Model):
    """Read-only: a territory row of any boundary generation as its code is now (the view
    `territories_current_of`, territories 0005 and 0008): the current generation's name,
    population (with its year) and country, or the row's own when its code has no current
    boundary."""

    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=32, choices=TerritoryKind.choices)
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    population = models.PositiveIntegerField(null=True)
    population_year = models.PositiveSmallIntegerField(null=True)
    country = models.CharField(max_length=2)
    current_id = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "territories_current_of"
        default_permissions = ()
