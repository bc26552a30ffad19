"""The moderation queue, and the bulk publish or hide it posts."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from staff.access import page_context, workspace
from staff.forms import ModerationForm
from staff.selectors.duplicates import duplicate_counts
from staff.selectors.maps import perimeter_frame
from staff.selectors.queue import QUEUE_PAGE, comment_queue, contribution_queue
from staff.services import moderation


def _safe_next(request, default):
    target = request.POST.get("next", "")
    # A path of this site: a bare word would be taken by redirect() for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def _queue_items(project, tab, page_number):
    queryset = comment_queue(project) if tab == "comments" else contribution_queue(project)
    page = Paginator(queryset, QUEUE_PAGE).get_page(page_number)
    frame = perimeter_frame(project)
    counts = {} if tab == "comments" else duplicate_counts(project, [item.pk for item in page])
    for item in page:
        item.marker = frame.marker(item.spot)
        item.duplicate_count = counts.get(str(item.pk), 0)
        item.value = f"{'comment' if tab == 'comments' else 'contribution'}:{item.pk}"
    return page, frame


@workspace("view")
def queue(request, project):
    tab = "comments" if request.GET.get("tab") == "comments" else "contributions"
    page, frame = _queue_items(project, tab, request.GET.get("page"))
    form = ModerationForm(item_choices=[(item.value, item.value) for item in page])
    return render(
        request,
        "staff/queue.html",
        page_context(
            request,
            tab=tab,
            page=page,
            frame=frame,
            form=form,
            comment_total=comment_queue(project).count(),
            contribution_total=contribution_queue(project).count(),
        ),
    )


@require_POST
@workspace("moderate")
def moderate(request, project):
    values = request.POST.getlist("items")
    form = ModerationForm(request.POST, item_choices=[(v, v) for v in values])
    back = _safe_next(request, reverse("staff:queue", args=[project.slug]))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    contributions, comments = form.split_items()
    try:
        reason = moderation.reason_text(
            choice=form.cleaned_data["reason_choice"], typed=form.cleaned_data["reason_text"]
        )
        done = moderation.moderate(
            actor=request.user,
            project=project,
            action=form.cleaned_data["action"],
            contribution_ids=contributions,
            comment_ids=comments,
            reason=reason,
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect(back)
    if form.cleaned_data["action"] == "publish":
        messages.success(request, _("%(n)d item(s) published.") % {"n": done})
    else:
        messages.success(request, _("%(n)d item(s) hidden.") % {"n": done})
    return redirect(back)
