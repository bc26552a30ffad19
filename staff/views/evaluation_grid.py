"""The project's evaluation grid, configured by its managers: the criteria in their order, a
form to add one or edit one (`?edit=<id>`), and buttons to move or deactivate each."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from staff.access import page_context, workspace
from staff.evaluation_forms import CriterionForm
from staff.models import EvaluationCriterion
from staff.services import evaluation_grid as grid_services

MOVES = {"up", "down"}
SWITCHES = {"activate": True, "deactivate": False}


def _criterion_or_404(project, criterion_id):
    try:
        return EvaluationCriterion.objects.get(project=project, pk=int(criterion_id))
    except (EvaluationCriterion.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


@require_http_methods(["GET", "POST"])
@workspace("grid")
def evaluation_grid(request, project):
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action in MOVES or action in SWITCHES:
        criterion = _criterion_or_404(project, request.POST.get("criterion"))
        if action in MOVES:
            grid_services.move_criterion(
                actor=request.user, project=project, criterion_id=criterion.pk, direction=action
            )
        else:
            grid_services.set_criterion_active(
                actor=request.user,
                project=project,
                criterion_id=criterion.pk,
                active=SWITCHES[action],
            )
        messages.success(request, _("Grid updated."))
        return redirect("staff:evaluation-grid", project.slug)
    if action and action != "save":
        raise Http404
    edited_id = request.POST.get("criterion") or request.GET.get("edit")
    edited = _criterion_or_404(project, edited_id) if edited_id else None
    form = CriterionForm(request.POST or None, project=project, criterion=edited)
    if request.method == "POST" and form.is_valid():
        try:
            grid_services.save_criterion(
                actor=request.user,
                project=project,
                criterion_id=edited.pk if edited else None,
                label=form.labels(),
                help=form.helps(),
                kind=form.cleaned_data["kind"],
                scale_min=form.cleaned_data["scale_min"],
                scale_max=form.cleaned_data["scale_max"],
                choices=form.choices(),
                active=edited.active if edited else True,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Criterion saved."))
            return redirect("staff:evaluation-grid", project.slug)
    return render(
        request,
        "staff/evaluation_grid.html",
        page_context(
            request,
            form=form,
            edited=edited,
            criteria=EvaluationCriterion.objects.filter(project=project),
        ),
        status=422 if form.errors else 200,
    )
