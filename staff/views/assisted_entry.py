"""Assisted entry: staff record a resident's contribution (workshop, paper, phone)."""

from django.contrib import messages
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contributions.services import Submission
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from staff.access import page_context, workspace
from staff.forms import RecordForm
from staff.services.assisted_entry import record_contribution
from territories.models import Territory


def _communes(project):
    return Territory.objects.filter(perimeters=project.perimeter).order_by("name")


@require_http_methods(["GET", "POST"])
@workspace("record")
def record(request, project):
    communes = _communes(project)
    form = RecordForm(
        request.POST or None,
        project=project,
        communes=communes,
        csp_nonce=request.csp_nonce,
        initial={"language": get_language(), "channel": request.GET.get("channel", "workshop")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["longitude"] is not None and data["latitude"] is not None:
            geometry = Point(data["longitude"], data["latitude"], srid=STORAGE_SRID)
        else:
            commune = communes.annotate(spot=PointOnSurface("geom")).get(code=data["commune"])
            geometry = commune.spot
            geometry.srid = STORAGE_SRID
        submission = Submission(
            kind=data["kind"],
            theme=data["theme"],
            title=data["title"],
            description=data["description"],
            sentiment=data["sentiment"] if data["kind"] == "observation" else "",
            geometry=geometry,
            email=data["email"],
            channel=data["channel"],
            language=data["language"],
            consent=data["consent"],
            location_precision=data["location_precision"],
        )
        try:
            created = record_contribution(
                actor=request.user, project=project, submission=submission
            )
        except DomainError as error:
            field = {"outside_perimeter": "commune", "consent_required": "consent"}.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Contribution “%(title)s” recorded. You can enter the next one.")
                % {"title": created.title},
            )
            url = reverse("staff:record", args=[project.slug])
            return redirect(f"{url}?channel={data['channel']}")
    return render(
        request,
        "staff/record.html",
        page_context(request, form=form),
        status=422 if form.errors else 200,
    )
