"""Writing projects and their themes (the demo loader and the admin)."""

from django.db import transaction

from contributions.models import (
    Project,
)


@transaction.atomic
def upsert_project(*, slug: str, perimeter, themes: list[dict], **fields) -> tuple[bool, Project]:
    """Creates or updates a project and its themes by slug; returns (created, project)."""
    project, created = Project.objects.update_or_create(
        slug=slug, defaults={"perimeter": perimeter, **fields}
    )
    project.full_clean()
    for position, theme in enumerate(themes):
        project.themes.update_or_create(
            slug=theme["slug"], defaults={**theme, "position": position}
        )
    return created, project
