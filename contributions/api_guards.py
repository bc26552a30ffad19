"""What the public API's writes on a contribution check first, shared by its endpoints: the
CSRF token of browser sessions, and that the contribution is public."""

from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from contributions.models import Contribution
from core.errors import DomainError


def require_csrf(request):
    """Anonymous requests for vote links and anonymous comments may come from a visitor's
    browser, so like every browser write they need the CSRF token (DRF checks it for
    signed-in users only). It stops another site, not a script: it proves no identity."""
    check = CsrfViewMiddleware(lambda _request: None)
    if check.process_view(request._request, None, (), {}) is not None:
        raise DomainError(
            "csrf_failed",
            _("This request lacks its security token; reload the page and try again."),
            status=403,
        )


def visible_contribution(slug, contribution_id):
    """The public contribution, or the same 404 as for an id that never existed."""
    return get_object_or_404(
        Contribution.objects.public().select_related("project"),
        project__slug=slug,
        pk=contribution_id,
    )
