"""The partners' meetings: the list and a form to plan one, and a meeting's page listing the
proposals of its period with their evaluation summary and a decision form each. A kept
proposal links to a new result and a new partner project, prefilled from it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contributions.models import Contribution, Status
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.evaluation_forms import DecisionForm, MeetingForm
from staff.models import Decision, Evaluation, Meeting, Outcome
from staff.selectors.duplicates import possible_duplicates
from staff.selectors.evaluations import criteria_of, evaluation_summary, proposals_to_decide
from staff.services.decisions import create_meeting, default_answers, record_decision

# The staff form that starts a partner project, tried by these names; it reads
# `?from_contribution=<id>`.
PARTNER_PROJECT_FORMS = ("staff:partner-project-new", "staff:partner-projects-new")


@require_http_methods(["GET", "POST"])
@workspace("decide")
def meetings(request, project):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = create_meeting(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Meeting created."))
            return redirect("staff:meeting", project.slug, meeting.pk)
    return render(
        request,
        "staff/meetings.html",
        page_context(
            request,
            form=form,
            meetings=Meeting.objects.filter(project=project),
        ),
        status=422 if form.errors else 200,
    )


def _partner_project_url(project):
    for name in PARTNER_PROJECT_FORMS:
        try:
            return reverse(name, args=[project.slug])
        except NoReverseMatch:
            continue
    return ""


def merge_targets(proposal, proposals) -> list[tuple]:
    """What a proposal may be merged into: its possible duplicates (published ones), then the
    other proposals of the meeting."""
    targets = [
        (d.id, d.title)
        for d in possible_duplicates(proposal)
        if d.status not in (Status.HIDDEN, Status.SUBMITTED, Status.DUPLICATE)
    ]
    seen = {str(pk) for pk, _title in targets}
    return targets + [
        (p.pk, p.title)
        for p in proposals
        if p.pk != proposal.pk and str(p.pk) not in seen and p.status != Status.DUPLICATE
    ]


def _forms(request, project, meeting, proposals, decisions, posted):
    """One decision form a proposal: the posted one bound, the others prefilled from the
    decision on record or the 'kept' sentence."""
    forms = {}
    for index, proposal in enumerate(proposals):
        if posted is not None and posted[0] == proposal.pk:
            forms[proposal.pk] = posted[1]
            continue
        decision = decisions.get(proposal.pk)
        outcome = decision.outcome if decision else Outcome.KEPT
        texts = decision.answer_texts if decision else default_answers(project, outcome, meeting)
        initial = {"outcome": outcome, **{f"answer_{c}": t for c, t in texts.items()}}
        if decision and decision.merged_into_id:
            initial["merged_into"] = str(decision.merged_into_id)
        forms[proposal.pk] = DecisionForm(
            project=project,
            initial=initial,
            auto_id=f"d{index}_%s",
            targets=merge_targets(proposal, proposals),
        )
    return forms


@require_http_methods(["GET", "POST"])
@workspace("decide")
def meeting(request, project, meeting_id):
    meeting = get_object_or_404(Meeting, project=project, pk=meeting_id)
    proposals = list(proposals_to_decide(project, meeting.period_start, meeting.period_end))
    decided = Decision.objects.filter(meeting=meeting).select_related("contribution")
    # A proposal decided on and since merged (a duplicate) stays on its meeting's page.
    listed = {p.pk for p in proposals}
    proposals += [d.contribution for d in decided if d.contribution_id not in listed]
    decisions = {d.contribution_id: d for d in decided}
    posted = None
    if request.method == "POST":
        proposal = _proposal(project, request.POST.get("contribution"), proposals)
        index = proposals.index(proposal)
        form = DecisionForm(
            request.POST,
            project=project,
            auto_id=f"d{index}_%s",
            targets=merge_targets(proposal, proposals),
        )
        posted = (proposal.pk, form)
        if form.is_valid():
            try:
                record_decision(
                    actor=request.user,
                    meeting=meeting,
                    contribution=proposal,
                    outcome=form.cleaned_data["outcome"],
                    answers=form.texts(),
                    merged_into=form.cleaned_data.get("merged_into"),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Decision recorded and published."))
                return redirect(
                    reverse("staff:meeting", args=[project.slug, meeting.pk])
                    + f"#proposal-{proposal.pk}"
                )
    forms = _forms(request, project, meeting, proposals, decisions, posted)
    criteria = criteria_of(project)
    by_proposal = {}
    for evaluation in (
        Evaluation.objects.filter(contribution__in=[p.pk for p in proposals])
        .select_related("evaluator", "partner")
        .order_by("partner__position", "partner__name", "evaluator__username")
    ):
        by_proposal.setdefault(evaluation.contribution_id, []).append(evaluation)
    items = [
        {
            "proposal": p,
            "form": forms[p.pk],
            "decision": decisions.get(p.pk),
            "summary": evaluation_summary(
                p, criteria=criteria, evaluations=by_proposal.get(p.pk, [])
            ),
        }
        for p in proposals
    ]
    return render(
        request,
        "staff/meeting.html",
        page_context(
            request,
            meeting=meeting,
            items=items,
            defaults={o: default_answers(project, o, meeting) for o in Outcome.values},
            partner_project_url=_partner_project_url(project),
            kept=Outcome.KEPT,
        ),
        status=422 if posted and posted[1].errors else 200,
    )


def _proposal(project, contribution_id, proposals) -> Contribution:
    for proposal in proposals:
        if str(proposal.pk) == str(contribution_id):
            return proposal
    raise Http404
