"""The meeting pack: the proposals a partners' meeting decides on, with their evaluations, as
a page for a projector (and the browser's print) and as an A4 PDF, in the address's language.
Without a meeting or a period in the address, the page offers to choose one."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import DomainError
from layers.diagnostic.formatting import long_date
from staff.access import page_context, workspace
from staff.meeting_pack import render as pack_render
from staff.meeting_pack import request as pack_request
from staff.meeting_pack.data import TooMany
from staff.models import Meeting


def _error(request, error: DomainError):
    response = render(
        request,
        "staff/meeting_pack_error.html",
        page_context(request, code=error.code, message=error.message),
        status=error.status,
    )
    response["X-Error-Code"] = error.code
    return response


def _links(project, pack) -> dict:
    query = pack.query()
    page = reverse("staff:meeting-pack", args=[project.slug])
    pdf = reverse("staff:meeting-pack-pdf", args=[project.slug])
    other = "partners" if pack.staff else "staff"
    return {
        "pdf_url": f"{pdf}?{urlencode({**query, 'edition': pack.edition})}",
        "other_edition_url": f"{page}?{urlencode({**query, 'edition': other})}",
        "choose_url": page,
        "workspace_url": reverse("staff:queue", args=[project.slug]),
    }


@require_GET
@never_cache
@workspace("view")
def meeting_pack(request, project):
    if not pack_request.asked(request.GET):
        meetings = [
            {
                "meeting": m,
                "date": long_date(m.date),
                "first": long_date(m.period_start),
                "last": long_date(m.period_end),
            }
            for m in Meeting.objects.filter(project=project).order_by("-date", "-id")[:24]
        ]
        return render(
            request, "staff/meeting_pack_choose.html", page_context(request, meetings=meetings)
        )
    try:
        pack = pack_request.parse(project, request.GET)
        document = pack_render.html(project, pack, extra=_links(project, pack), viewer=request.user)
    except DomainError as error:
        return _error(request, error)
    except TooMany as many:
        return _error(request, pack_request.too_many(many.count))
    return HttpResponse(document)


@require_GET
@never_cache
@workspace("view")
def meeting_pack_pdf(request, project):
    try:
        pack = pack_request.parse(project, request.GET)
        data = pack_render.pdf(project, pack, viewer=request.user)
    except DomainError as error:
        return _error(request, error)
    except TooMany as many:
        return _error(request, pack_request.too_many(many.count))
    response = HttpResponse(data, content_type="application/pdf")
    name = f"meeting-pack-{project.slug}-{pack.start:%Y%m%d}-{pack.end:%Y%m%d}-{get_language()}"
    if pack.staff:
        name += "-staff"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
