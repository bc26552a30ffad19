"""Coverage of the partners' projects and their vote: the map of the perimeter's communes
coloured covered or not with the projects drawn, the tables of communes, valleys and themes
(contributions.partner_coverage), and the forms that open the vote (which warns of the gaps
and needs a confirmation then) and close it."""

import datetime
import json

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contributions import partner_coverage
from contributions.models import PartnerProject
from contributions.services import partner_projects as services
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.models import Action, Target
from staff.partner_project_forms import OpenVoteForm
from staff.services.audit import audit_item
from territories.selectors import member_communes_geojson

# Communes drawn simplified by about this many metres: a light map of the whole perimeter.
SIMPLIFY_M = 150


def _map_data(project, coverage) -> dict:
    items = PartnerProject.objects.of_project(project).published().select_related("project")
    return {
        "communes": json.loads(member_communes_geojson(project.perimeter, SIMPLIFY_M)),
        "covered": [row.code for row in coverage.communes if row.covered],
        "projects": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(item.location.json),
                    "properties": {"title": item.title_here.text},
                }
                for item in items
            ],
        },
        "labels": {
            "covered": _("covered"),
            "uncovered": _("no project"),
            "map": _("Map of the communes covered by the partners' projects"),
        },
    }


@workspace("view")
def coverage_page(request, project):
    coverage = partner_coverage.coverage(project)
    return render(
        request,
        "staff/partner_project_coverage.html",
        page_context(
            request,
            coverage=coverage,
            map_data=_map_data(project, coverage),
            state=project.partner_vote_state(),
        ),
    )


def _initial(project):
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "opens_at": project.partner_vote_opens_at or now,
        "closes_at": project.partner_vote_closes_at or now + datetime.timedelta(days=30),
        "mode": project.partner_vote_mode,
        "ranking_live": project.partner_ranking_live,
    }


@require_http_methods(["GET", "POST"])
@workspace("partner_projects")
def open_vote(request, project):
    coverage = partner_coverage.coverage(project)
    form = OpenVoteForm(request.POST or None, initial=_initial(project))
    error_code = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.open_partner_vote(
                        project=project,
                        opens_at=data["opens_at"],
                        closes_at=data["closes_at"],
                        mode=data["mode"],
                        ranking_live=data["ranking_live"],
                        confirm_gaps=data["confirm_gaps"],
                    )
                    _audit(
                        request.user,
                        project,
                        opens_at=data["opens_at"].isoformat(),
                        closes_at=data["closes_at"].isoformat(),
                        mode=data["mode"],
                        ranking_live=data["ranking_live"],
                        gaps_confirmed=bool(data["confirm_gaps"]),
                    )
            except DomainError as error:
                error_code = error.code
                field = {"coverage_gaps": "confirm_gaps", "invalid_period": "closes_at"}.get(
                    error.code, "mode" if error.code == "mode_locked" else None
                )
                form.add_error(field, error.message)
            else:
                messages.success(request, _("The vote period is saved."))
                return redirect("staff:partner-projects", project.slug)
        else:
            error_code = "invalid"
    return render(
        request,
        "staff/partner_project_vote.html",
        page_context(
            request,
            form=form,
            coverage=coverage,
            error_code=error_code,
            state=project.partner_vote_state(),
        ),
        status=422 if form.errors else 200,
    )


@require_POST
@workspace("partner_projects")
def close_vote(request, project):
    try:
        with transaction.atomic():
            services.close_partner_vote(project=project)
            _audit(request.user, project, closed=True)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The vote is closed."))
    return redirect("staff:partner-projects", project.slug)


def _audit(actor, project, **details):
    audit_item(
        actor=actor,
        project=project,
        action=Action.VOTE_PERIOD,
        target_type=Target.PROJECT,
        target_id=None,
        title=project.display_title,
        details=details,
    )
