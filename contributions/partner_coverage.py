"""Which parts of the territory and which themes the partners' projects cover, and which they
leave out: the one definition the staff's coverage page and the warning before opening the
vote both read (docs/figures.md, "Partner projects").

A commune (a current commune of the project's perimeter) is covered by every published
partner project whose place intersects its boundary (PostGIS ST_Intersects: a point inside,
a line crossing it, an area overlapping it). A valley is a parent territory of those
communes; it is covered by the projects covering at least one of its communes. A theme is
covered by the published partner projects of that theme."""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from contributions.models import PartnerProject, Project
from core.i18n import localized
from territories.models import Territory, TerritoryKind


@dataclass
class Covered:
    """One commune, valley or theme: its id, name and the published projects covering it."""

    id: int
    name: str
    projects: list = field(default_factory=list)
    code: str = ""
    parent_id: int | None = None
    population: int | None = None
    communes: int = 0
    covered_communes: int = 0

    @property
    def count(self) -> int:
        return len(self.projects)

    @property
    def covered(self) -> bool:
        return bool(self.projects)


@dataclass
class Coverage:
    communes: list[Covered]
    valleys: list[Covered]
    themes: list[Covered]
    projects: int

    @property
    def uncovered_communes(self) -> list[Covered]:
        return [row for row in self.communes if not row.covered]

    @property
    def uncovered_valleys(self) -> list[Covered]:
        return [row for row in self.valleys if not row.covered]

    @property
    def uncovered_themes(self) -> list[Covered]:
        return [row for row in self.themes if not row.covered]

    @property
    def has_gaps(self) -> bool:
        return bool(self.uncovered_communes or self.uncovered_themes)

    def summary(self) -> dict:
        """What is left out, for an API answer or a warning."""
        return {
            "uncovered_themes": [row.name for row in self.uncovered_themes],
            "uncovered_valleys": [row.name for row in self.uncovered_valleys],
            "uncovered_communes": [row.name for row in self.uncovered_communes],
        }


def coverage(project: Project) -> Coverage:
    """The communes, valleys and themes of the project, each with the published partner
    projects (ids, as text) that cover it."""
    published = PartnerProject.objects.of_project(project).published()
    covering = published.filter(location__intersects=OuterRef("geom")).order_by("position", "pk")
    communes = (
        Territory.objects.filter(
            perimeters=project.perimeter_id,
            kind=TerritoryKind.COMMUNE,
            valid_until__isnull=True,
        )
        .annotate(covering=ArraySubquery(covering.values("pk")))
        .select_related("parent")
        .order_by("name", "pk")
    )
    commune_rows, valleys = [], {}
    for commune in communes:
        ids = [str(pk) for pk in commune.covering]
        commune_rows.append(
            Covered(
                id=commune.pk,
                name=commune.name,
                code=commune.code,
                projects=ids,
                parent_id=commune.parent_id,
                population=commune.population,
            )
        )
        if commune.parent_id is not None:
            valley = valleys.setdefault(
                commune.parent_id, Covered(id=commune.parent_id, name=commune.parent.name)
            )
            valley.communes += 1
            valley.covered_communes += bool(ids)
            valley.projects.extend(pk for pk in ids if pk not in valley.projects)
            valley.population = (valley.population or 0) + (commune.population or 0)
    theme_rows = []
    by_theme = {}
    for pk, theme_id in published.order_by("position", "pk").values_list("pk", "theme_id"):
        by_theme.setdefault(theme_id, []).append(str(pk))
    for theme in project.themes.all():
        theme_rows.append(
            Covered(id=theme.pk, name=localized(theme.name) or theme.slug, code=theme.slug)
        )
        theme_rows[-1].projects = by_theme.get(theme.pk, [])
    return Coverage(
        communes=commune_rows,
        valleys=sorted(valleys.values(), key=lambda row: row.name),
        themes=theme_rows,
        projects=published.count(),
    )
