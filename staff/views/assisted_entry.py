"""Assisted entry: staff record a resident's contribution (workshop, paper, phone)."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contributions.models import Contribution
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
        initial={"language": get_language(), "channel": "workshop"},
    )
    # One entry after another (a workshop's pile of cards): channel, kind, theme and language
    # stay as they were, when the address names choices the form offers.
    for name in KEPT:
        value = request.GET.get(name, "")
        if value in {str(choice) for choice, _label in form.fields[name].choices}:
            form.initial[name] = value
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
            kept = urlencode({name: data[name] for name in KEPT} | {"saved": created.pk})
            return redirect(f"{reverse('staff:record', args=[project.slug])}?{kept}")
    return render(
        request,
        "staff/record.html",
        page_context(request, form=form, saved=_saved(project, request.GET.get("saved"))),
        status=422 if form.errors else 200,
    )


KEPT = ("channel", "kind", "theme", "language")


def _saved(project, value):
    """The contribution just recorded, linked from the next empty form (None if unknown)."""
    try:
        pk = uuid.UUID(value or "")
    except ValueError:
        return None
    return Contribution.objects.filter(project=project, pk=pk).first()
