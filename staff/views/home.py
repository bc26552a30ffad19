"""The workspace's first page: the projects a person has a role in, with their queues."""

from django.shortcuts import render

from staff import permissions
from staff.access import to_login
from staff.models import Role
from staff.selectors.queue import contribution_queue


def index(request):
    if not request.user.is_authenticated:
        return to_login(request)
    projects = list(permissions.visible_projects(request.user).order_by("slug"))
    for project in projects:
        project.staff_role = Role(permissions.role_in(request.user, project)).label
        project.queue_size = contribution_queue(project).count()
    return render(request, "staff/index.html", {"projects": projects})
