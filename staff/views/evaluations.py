"""Evaluating one proposal: the evaluator's own scores and private notes, and the evaluators'
scores side by side with where they disagree. Independent scoring: the others' scores show
once one's own is saved (managers see them all along)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contributions.models import Contribution, Kind, Status
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.evaluation_forms import EvaluationForm
from staff.models import Evaluation
from staff.selectors.evaluations import (
    DISAGREEMENT_SPREAD,
    criteria_of,
    evaluations_of,
    may_see_others,
    side_by_side,
)
from staff.services.evaluations import save_evaluation


@require_http_methods(["GET", "POST"])
@workspace("evaluate")
def evaluation(request, project, contribution_id):
    item = get_object_or_404(
        Contribution.objects.select_related("theme", "public_commune"),
        project=project,
        pk=contribution_id,
    )
    evaluable = item.kind == Kind.PROPOSAL and item.status not in (Status.SUBMITTED,)
    criteria = criteria_of(project)
    own = Evaluation.objects.filter(contribution=item, evaluator=request.user).first()
    form = EvaluationForm(
        request.POST or None,
        criteria=criteria,
        partners=list(project.partners.all()),
        evaluation=own,
    )
    if request.method == "POST":
        if not evaluable:
            raise Http404
        if form.is_valid():
            try:
                save_evaluation(
                    actor=request.user,
                    contribution=item,
                    scores=form.scores(),
                    notes=form.cleaned_data["notes"],
                    partner_id=form.cleaned_data.get("partner") or None,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your evaluation is saved."))
                return redirect("staff:evaluation", project.slug, item.pk)
    evaluations = evaluations_of(item)
    visible = may_see_others(request.user, item)
    rows = side_by_side(item, criteria=criteria, evaluations=evaluations) if visible else []
    return render(
        request,
        "staff/evaluation.html",
        page_context(
            request,
            item=item,
            form=form,
            evaluable=evaluable,
            own=own,
            visible=visible,
            evaluations=evaluations if visible else [],
            others=sum(1 for e in evaluations if e.evaluator_id != request.user.pk),
            rows=rows,
            disagreements=sum(1 for row in rows if row.disagrees),
            spread=DISAGREEMENT_SPREAD,
        ),
        status=422 if form.errors else 200,
    )
