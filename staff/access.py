"""Who may open a workspace page, and what the page then knows of them: the `workspace`
decorator answers 404 to anyone without the needed role in the project (staff.permissions
decides), sends visitors who are not signed in to the sign-in page, and leaves the project,
the role and its capabilities on the request for `page_context`."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse

from staff import permissions
from staff.models import Role


def to_login(request):
    try:
        return redirect_to_login(request.get_full_path())
    except NoReverseMatch:
        # The sign-in pages are not installed: the admin's sign-in serves staff accounts.
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))


def workspace(capability="view"):
    """Signed-in people only; the project, and the user's role in it, or 404."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return to_login(request)
            project, role = permissions.project_for(request.user, slug, capability)
            request.project, request.role = project, role
            request.can = permissions.capabilities(role)
            return view(request, project, *args, **kwargs)

        return wrapped

    return decorator


def page_context(request, **extra):
    return {
        "project": request.project,
        "role": request.role,
        "role_label": Role(request.role).label,
        "can": request.can,
        **extra,
    }
