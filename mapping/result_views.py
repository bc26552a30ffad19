"""Results ("you said, we did") on the public side: a result's page (status, progress,
milestones, the contributions it answers, a small map) and the project's results as GeoJSON
for the map's results layer."""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from contributions.models import MilestonePhoto, Project
from contributions.results import feature, public_results
from core.geojson import geometry
from mapping import page_data


def _language(request):
    wanted = request.GET.get("lang", "") or get_language() or ""
    wanted = wanted.split("-")[0] if isinstance(wanted, str) else ""
    return wanted if wanted in ("fr", "it", "en") else None


def _result_url(project, result):
    return reverse("result", args=[project.slug, result.pk])


@require_GET
def results_geojson(request, slug):
    """The project's results with a place, as an RFC 7946 FeatureCollection (the map's layer)."""
    project = get_object_or_404(Project, slug=slug)
    language = _language(request)
    features = [
        feature(result, language=language, url=_result_url(project, result))
        for result in public_results(project)
        if result.place is not None
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


class ResultView(TemplateView):
    template_name = "mapping/result.html"

    def get_context_data(self, slug, pk, **kwargs):
        project = get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
        result = public_results(project).filter(pk=pk).first()
        if result is None:
            raise Http404(_("No such result."))
        language = get_language()
        config = page_data.map_config(project, self.request)
        config["result"] = {
            "id": str(result.pk),
            "status": result.status,
            "geometry": geometry(result.place),
        }
        return {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            "result": result,
            "result_title": project.answer_in(result.title, language=language),
            "result_text": project.answer_in(result.text, language=language),
            "milestones": [
                (milestone, project.answer_in(milestone.text, language=language))
                for milestone in result.milestones.select_related("photo")
            ],
            "answered": result.contributions.public().order_by("-created_at"),
            "map_config": config,
        }


@require_GET
def milestone_photo(request, photo_id, size):
    """A milestone's photo, re-encoded when it was added (no metadata), in one of two sizes."""
    if size not in ("large", "thumbnail"):
        raise Http404
    photo = get_object_or_404(MilestonePhoto, pk=photo_id)
    response = FileResponse(getattr(photo, size).open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
