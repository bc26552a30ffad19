"""The moderation queue, its filters, and the bulk publish or hide it posts (hiding several
items is confirmed first)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from staff.access import page_context, workspace
from staff.forms import ModerationForm
from staff.models import Action
from staff.selectors.duplicates import duplicate_counts
from staff.selectors.maps import perimeter_frame
from staff.selectors.queue import (
    NO_FILTERS,
    QUEUE_PAGE,
    comment_queue,
    contribution_queue,
    items_of_project,
    queue_facets,
    read_queue_filters,
)
from staff.services import moderation


def _safe_next(request, default):
    target = request.POST.get("next", "")
    # A path of this site: a bare word would be taken by redirect() for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def _queue_items(project, tab, page_number, filters, *, searchable=True):
    if tab == "comments":
        queryset = comment_queue(project)
    else:
        queryset = contribution_queue(project, filters)
        if not searchable:
            queryset = queryset.none()
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
    search_error, status = "", 200
    try:
        filters, ignored = read_queue_filters(project, request.GET)
    except DomainError as error:
        # A search that cannot run is said so, never answered with every item.
        query = request.GET.copy()
        query.pop("q", None)
        filters, ignored = read_queue_filters(project, query)
        said = (error.extra or {}).get("fields", {}).get("q") or [error.message]
        search_error, status = " ".join(map(str, said)), error.status
    if tab == "comments":
        filters, ignored = NO_FILTERS, []
    page, frame = _queue_items(
        project, tab, request.GET.get("page"), filters, searchable=not search_error
    )
    form = ModerationForm(item_choices=[(item.value, item.value) for item in page])
    kept = filters.query()
    return render(
        request,
        "staff/queue.html",
        page_context(
            request,
            tab=tab,
            page=page,
            frame=frame,
            form=form,
            filters=filters,
            filtered=bool(kept),
            facets=queue_facets(project, filters) if tab == "contributions" else [],
            ignored=ignored,
            search_error=search_error,
            # The filters (and the tab) a pager link keeps.
            page_query=urlencode({"tab": tab, **kept}),
            comment_total=comment_queue(project).count(),
            contribution_total=contribution_queue(project).count(),
        ),
        status=status,
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
    action = form.cleaned_data["action"]
    try:
        reason = moderation.reason_text(
            choice=form.cleaned_data["reason_choice"], typed=form.cleaned_data["reason_text"]
        )
        if action == Action.HIDE and len(values) > 1 and request.POST.get("confirm") != "1":
            # Hiding several items at once is shown first, then done on a second POST.
            found, found_comments = items_of_project(project, contributions, comments)
            return render(
                request,
                "staff/queue.html",
                page_context(
                    request,
                    confirm_hide=True,
                    to_hide=found,
                    comments_to_hide=found_comments,
                    hide_count=len(values),
                    values=values,
                    reason=reason,
                    form=form,
                    back=back,
                ),
            )
        done = moderation.moderate(
            actor=request.user,
            project=project,
            action=action,
            contribution_ids=contributions,
            comment_ids=comments,
            reason=reason,
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect(back)
    if action == "publish":
        messages.success(
            request, ngettext("%(n)d item published.", "%(n)d items published.", done) % {"n": done}
        )
    else:
        messages.success(
            request, ngettext("%(n)d item hidden.", "%(n)d items hidden.", done) % {"n": done}
        )
    return redirect(back)
