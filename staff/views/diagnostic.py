"""The shared diagnostic: its page, and the bundle built on demand as one zip."""

import shutil
import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from contributions.selectors import ContributionFilters
from layers.diagnostic import bundle
from staff.access import page_context, workspace


@workspace("dashboard")
def diagnostic(request, project):
    return render(request, "staff/diagnostic.html", page_context(request))


@require_GET  # a download: other methods must not start seconds of work
@workspace("export")
def diagnostic_bundle(request, project):
    """The diagnostic bundle, built now in the reader's language (the report as HTML and PDF),
    as one zip to download. The QGIS project is left out: its GeoPackage holds every
    contribution (about 90 MB at 100,000) and the page's export form offers it on its own."""
    with tempfile.TemporaryDirectory(prefix="diagnostic-") as scratch:
        folder = Path(scratch) / "bundle"
        try:
            bundle.run(
                project=project,
                filters=ContributionFilters(),
                output=folder,
                language=get_language(),
                qgis=False,
            )
        except bundle.DiagnosticError as error:
            return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
        archive = Path(shutil.make_archive(str(Path(scratch) / "diagnostic"), "zip", folder))
        # Read before the folder goes: a bundle is a few megabytes at most.
        data = archive.read_bytes()
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{project.slug}-{stamp}.zip"'
    )
    return response
