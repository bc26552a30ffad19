"""Results ("you said, we did") as OGC API - Features collections, one per project
(`<slug>-results`): the collection, its items (paged) and one item, in CRS84 only. The
features are contributions.results' own (the map's layer): a result's place is the drawn one
or the union of its public contributions' public locations, computed on read."""

import json
import uuid

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.models import Result
from contributions.results import feature, public_results
from core.errors import DomainError
from core.i18n import localized
from layers import ogc_crs, ogc_params
from layers.ogc_common import absolute_url as _url
from layers.ogc_common import ogc_errors as _errors
from layers.ogc_common import project_of as _project

SUFFIX = "-results"
GEOJSON = "application/geo+json"


def _crs84_only(request):
    crs = request.GET.get("crs")
    if crs and crs != ogc_crs.CRS84_URI:
        raise DomainError("unsupported_crs", _("Results are served in CRS84 only."), status=400)


def collection_data(request, project) -> dict:
    collection_id = project.slug + SUFFIX
    items = _url(request, "ogc-result-items", project.slug)
    return {
        "id": collection_id,
        "title": _("Results: %(project)s") % {"project": localized(project.title) or project.slug},
        "description": _("What the services decided or did in answer to contributions."),
        "itemType": "feature",
        "crs": [ogc_crs.CRS84_URI],
        "storageCrs": ogc_crs.CRS84_URI,
        "extent": {
            "spatial": {"bbox": [list(project.perimeter.geom.extent)], "crs": ogc_crs.CRS84_URI}
        },
        "links": [
            {
                "rel": "self",
                "type": "application/json",
                "href": _url(request, "ogc-result-collection", project.slug),
            },
            {"rel": "items", "type": GEOJSON, "href": items},
        ],
    }


def listed(request, projects) -> list:
    """The results collections /collections lists: those of projects with a result (the
    collection of a project without one still answers, empty)."""
    with_results = set(
        Result.objects.filter(project__in=projects).values_list("project", flat=True).distinct()
    )
    return [collection_data(request, p) for p in projects if p.pk in with_results]


def _feature(request, project, result):
    page = _url(request, "result", project.slug, result.pk)
    data = feature(result, url=page)
    data["links"] = [{"rel": "alternate", "type": "text/html", "href": page}]
    return data


def _geojson(data):
    return HttpResponse(
        json.dumps(data),
        content_type=GEOJSON,
        headers={"Content-Crs": f"<{ogc_crs.CRS84_URI}>"},
    )


@require_GET
@_errors
def collection(request, slug):
    ogc_params.check_params(request, [])
    return JsonResponse(collection_data(request, _project(slug)))


@require_GET
@_errors
def items(request, slug):
    ogc_params.check_params(request, ["limit", "offset", "crs"])
    _crs84_only(request)
    limit, offset = ogc_params.paging(request)
    project = _project(slug)
    placed = public_results(project).filter(place__isnull=False)
    matched = placed.count()
    page = list(placed[offset : offset + limit])
    return _geojson(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(page),
            "features": [_feature(request, project, result) for result in page],
            "links": [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()}],
        }
    )


@require_GET
@_errors
def item(request, slug, feature_id):
    ogc_params.check_params(request, ["crs"])
    _crs84_only(request)
    project = _project(slug)
    try:
        identifier = uuid.UUID(feature_id)
    except ValueError:
        raise DomainError("not_found", _("No such feature."), status=404) from None
    result = public_results(project).filter(pk=identifier, place__isnull=False).first()
    if result is None:
        raise DomainError("not_found", _("No such feature."), status=404)
    return _geojson(_feature(request, project, result))
