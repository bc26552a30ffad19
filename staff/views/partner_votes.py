"""Assisted entry of votes on the partners' projects, taken on paper, at a workshop or by
phone: one ballot after another (one participant's votes on several projects, their commune
of residence if they gave it), on a tablet; the channel stays chosen between ballots."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contributions.models import Channel, PartnerProject, PartnerVote
from contributions.services import partner_projects as services
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.models import Action, Target
from staff.partner_project_forms import BallotForm
from staff.services.audit import audit_item
from territories.models import Territory, TerritoryKind


def _communes(project):
    return Territory.objects.filter(
        perimeters=project.perimeter, kind=TerritoryKind.COMMUNE, valid_until__isnull=True
    ).order_by("name")


@require_http_methods(["GET", "POST"])
@workspace("record")
def record_votes(request, project):
    items = (
        PartnerProject.objects.of_project(project)
        .published()
        .select_related("project", "theme")
        .order_by("position", "created_at")
    )
    channel = request.GET.get("channel", "")
    form = BallotForm(
        request.POST or None,
        project=project,
        items=items,
        communes=_communes(project),
        initial={"channel": channel if channel in BallotForm.channels() else Channel.WORKSHOP},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.record_paper_votes(
                    project=project,
                    ballots=[form.ballot()],
                    channel=form.cleaned_data["channel"],
                    entered_by=request.user,
                )
                audit_item(
                    actor=request.user,
                    project=project,
                    action=Action.RECORD,
                    target_type=Target.PROJECT,
                    target_id=None,
                    title=project.display_title,
                    details={
                        "votes": {k: str(v) for k, v in form.ballot()["votes"].items()},
                        "channel": form.cleaned_data["channel"],
                    },
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Ballot recorded. You can enter the next one."))
            url = reverse("staff:partner-votes", args=[project.slug])
            return redirect(f"{url}?channel={form.cleaned_data['channel']}")
    entered = PartnerVote.objects.filter(project=project, entered_by__isnull=False)
    return render(
        request,
        "staff/partner_votes.html",
        page_context(
            request,
            form=form,
            state=project.partner_vote_state(),
            ballots=entered.values("participant").distinct().count(),
        ),
        status=422 if form.errors else 200,
    )
