"""Results ("you said, we did"): the project's list, the form that creates or edits one (its
texts per language, status, progress, place and the contributions it answers, found by a
search or brought from a contribution with `?contribution=<id>`), and adding a milestone."""

import uuid

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contributions.models import Contribution, Result
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.models import AuditEntry
from staff.result_forms import MilestoneForm, ResultForm
from staff.services.results import add_milestone, save_result

SEARCH_LIMIT = 30


def _result(project, result_id):
    return get_object_or_404(
        Result.objects.select_related("project"), project=project, pk=result_id
    )


@workspace("results")
def results(request, project):
    items = (
        Result.objects.of_project(project)
        .select_related("project")
        .annotate(answered=Count("contributions", distinct=True))
    )
    return render(request, "staff/results.html", page_context(request, results=items))


def _choices(project, result, request):
    """The contributions to tick: those the result answers or that were posted, the one
    brought from its page, and those the search finds (public ones of the project)."""
    query = request.GET.get("q", "").strip()[:200]
    wanted = set(request.POST.getlist("contributions")) if request.method == "POST" else set()
    wanted.add(request.GET.get("contribution", ""))
    ids = []
    for value in wanted:
        try:
            ids.append(uuid.UUID(value))
        except (ValueError, TypeError):
            continue
    public = Contribution.objects.of_project(project).public()
    chosen = Q(pk__in=ids) | (Q(results=result) if result else Q(pk__in=[]))
    if query:
        # The search's first matches, newest first, beside those already chosen.
        matches = (
            public.filter(Q(title__icontains=query) | Q(description__icontains=query))
            .order_by("-created_at")
            .values_list("pk", flat=True)[:SEARCH_LIMIT]
        )
        chosen |= Q(pk__in=list(matches))
    found = public.filter(chosen)
    return query, [(str(c.pk), c.title) for c in found.distinct().order_by("-created_at")]


@require_http_methods(["GET", "POST"])
@workspace("results")
def result_form(request, project, pk=None):
    result = _result(project, pk) if pk else None
    query, choices = _choices(project, result, request)
    initial = None
    if result is None and request.GET.get("contribution"):
        initial = {"contributions": [request.GET["contribution"]], "progress": "0"}
    kwargs = {"initial": initial} if initial else {}
    form = ResultForm(
        request.POST or None, project=project, result=result, choices=choices, **kwargs
    )
    error_code = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save_result(
                    actor=request.user,
                    project=project,
                    result_id=result.pk if result else None,
                    title=form.titles(),
                    text=form.texts(),
                    status=form.cleaned_data["status"],
                    progress=form.cleaned_data["progress"],
                    geom=form.cleaned_data["geometry"],
                    contribution_ids=form.cleaned_data["contributions"],
                )
            except DomainError as error:
                error_code = error.code
                form.add_error(_FIELDS.get(error.code), error.message)
            else:
                messages.success(request, _("Result saved."))
                missing = form.missing_note()
                if missing:
                    messages.warning(request, missing)
                return redirect("staff:result", project.slug, saved.pk)
        else:
            error_code = next(
                (e.code for errors in form.errors.as_data().values() for e in errors if e.code),
                "invalid",
            )
    return _page(request, project, result, form, query=query, error_code=error_code)


# The field a service refusal is shown under (None: at the top of the form).
_FIELDS = {
    "invalid_progress": "progress",
    "invalid_geometry": "geometry",
    "unknown_contribution": "contributions",
    "hidden_contribution": "contributions",
    "too_many": "contributions",
    "unknown_status": "status",
}


def _page(request, project, result, form, *, query="", error_code="", milestone_form=None):
    milestone_form = milestone_form or MilestoneForm(project=project)
    failed = form.errors or milestone_form.errors
    return render(
        request,
        "staff/result_form.html",
        page_context(
            request,
            result=result,
            form=form,
            milestone_form=milestone_form,
            milestones=result.milestones.select_related("photo") if result else [],
            entries=AuditEntry.objects.about(result.pk) if result else [],
            query=query,
            error_code=error_code,
            languages_json=form.languages_json(),
            public_url=reverse("result", args=[project.slug, result.pk]) if result else "",
        ),
        status=422 if failed else 200,
    )


@require_POST
@workspace("results")
def milestone(request, project, pk):
    result = _result(project, pk)
    form = MilestoneForm(request.POST, request.FILES, project=project)
    error_code = ""
    if form.is_valid():
        try:
            add_milestone(
                actor=request.user,
                result=result,
                date=form.cleaned_data["date"],
                text=form.texts(),
                photo=form.cleaned_data.get("photo"),
            )
        except DomainError as error:
            error_code = error.code
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("staff:result", project.slug, result.pk)
    else:
        error_code = "invalid"
    _query, choices = _choices(project, result, request)
    return _page(
        request,
        project,
        result,
        ResultForm(project=project, result=result, choices=choices),
        error_code=error_code,
        milestone_form=form,
    )
