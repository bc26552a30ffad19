"""Printed material: a flyer or a poster with the project's map, themes and a QR code to its
page."""

import segno
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from core.i18n import localized
from staff.access import page_context, workspace
from staff.selectors.maps import perimeter_frame


@workspace("view")
def printable(request, project, size):
    if size not in ("flyer", "poster"):
        raise Http404
    url = settings.SITE_URL + reverse("project", args=[project.slug])
    qr = segno.make(url, error="m")
    return render(
        request,
        "staff/print.html",
        page_context(
            request,
            size=size,
            url=url,
            qr_svg=qr.svg_inline(scale=8 if size == "poster" else 5, omitsize=True),
            frame=perimeter_frame(project),
            title=localized(project.title) or project.slug,
            description=localized(project.description),
            promise=localized(project.promise),
            themes=[{"name": localized(t.name), "colour": t.colour} for t in project.themes.all()],
        ),
    )
