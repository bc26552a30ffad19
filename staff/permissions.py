"""Who may do what, in which project: the one place that decides.

Roles are per project. A person without a role in a project gets 404 for anything of it, as
if it had no staff side at all: a 403 would confirm what exists. Superusers see everything.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404

from contributions.models import Project
from staff.models import ProjectRole, Role

# What each role may do in its project.
CAPABILITIES = {
    "view": {Role.ANALYST, Role.MODERATOR, Role.MANAGER},  # workspace, private fields
    "export": {Role.ANALYST, Role.MODERATOR, Role.MANAGER},
    "dashboard": {Role.ANALYST, Role.MODERATOR, Role.MANAGER},
    "moderate": {Role.MODERATOR, Role.MANAGER},  # publish, hide, reports, duplicates
    "answer": {Role.MODERATOR, Role.MANAGER},  # status and public answer
    "record": {Role.MODERATOR, Role.MANAGER},  # assisted entry
    "templates": {Role.MANAGER},  # answer templates
    "questionnaires": {Role.MANAGER},  # building and publishing map questionnaires
    "results": {Role.MODERATOR, Role.MANAGER},  # results ("you said, we did") and milestones
    "partner_projects": {Role.MANAGER},  # the partners' projects, their vote period, outcomes
    "grid": {Role.MANAGER},  # the evaluation grid
    "evaluate": {Role.ANALYST, Role.MODERATOR, Role.MANAGER},  # scores and private notes
    "decide": {Role.MODERATOR, Role.MANAGER},  # meetings and their decisions
    "programming_export": {Role.ANALYST, Role.MANAGER},  # kept proposals with evaluations
}


def role_in(user, project) -> str | None:
    """The user's role in the project; superusers act as managers everywhere."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.MANAGER
    return (
        ProjectRole.objects.filter(user=user, project=project).values_list("role", flat=True)
    ).first()


def can(user, project, capability: str) -> bool:
    role = role_in(user, project)
    return role is not None and role in CAPABILITIES[capability]


def capabilities(role: str | None) -> set[str]:
    return {name for name, roles in CAPABILITIES.items() if role in roles}


def visible_projects(user, capability: str = "view"):
    """The projects the user may open in the workspace for this capability."""
    projects = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return projects.none()
    if user.is_superuser:
        return projects
    roles = ProjectRole.objects.filter(
        user=user, project=OuterRef("pk"), role__in=CAPABILITIES[capability]
    )
    return projects.filter(Exists(roles))


def project_for(user, slug: str, capability: str = "view") -> tuple[Project, str]:
    """(project, role) when the user may do this there; Http404 otherwise, never 403."""
    project = (
        visible_projects(user, capability).select_related("perimeter").filter(slug=slug).first()
    )
    if project is None:
        raise Http404
    return project, role_in(user, project)
