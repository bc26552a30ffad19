"""The project's audit log, newest first."""

from django.core.paginator import Paginator
from django.shortcuts import render

from staff.access import page_context, workspace
from staff.models import AuditEntry


@workspace("view")
def audit_log(request, project):
    page = Paginator(AuditEntry.objects.of_project(project), 100).get_page(request.GET.get("page"))
    return render(request, "staff/audit.html", page_context(request, page=page))
