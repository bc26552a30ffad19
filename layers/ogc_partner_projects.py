"""The projects the partners put to the residents' vote as OGC API - Features collections, one
per project (`<slug>-partner-projects`): the collection, its queryables (theme, partner,
outcome), its items (paged) and one item, in every CRS the API offers (layers.ogc_crs).

Published partner projects only, on the place the partners drew (a point, a line or an area),
each with `proposed_by: "partners"` so a client tells them from residents' contributions. The
vote figures (for, against, mean rating, votes, rank) are contributions.partner_figures' own,
and only once the ranking is public (contributions.partner_figures.ranking_is_public)."""

import json
import uuid

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.models import Outcome, PartnerProject
from contributions.partner_features import KIND, page_url, published_partner_projects
from core.errors import DomainError
from core.i18n import localized
from layers import ogc_crs, ogc_params, ogc_queryables
from layers.ogc_common import absolute_url as _url
from layers.ogc_common import ogc_errors as _errors
from layers.ogc_common import project_of as _project
from layers.partner_outputs import public_figures

SUFFIX = "-partner-projects"
GEOJSON = "application/geo+json"
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
QUERYABLES = ("theme", "partner", "outcome")
OUTCOMES = [value for value in Outcome.values if value]


def collection_data(request, project) -> dict:
    collection_id = project.slug + SUFFIX
    items = _url(request, "ogc-partner-items", project.slug)
    return {
        "id": collection_id,
        "title": _("Partner projects: %(project)s")
        % {"project": localized(project.title) or project.slug},
        "description": _(
            "Projects the partners put to the residents' vote, with the vote's figures once"
            " the ranking is public."
        ),
        "itemType": "feature",
        "crs": ogc_crs.URIS,
        "storageCrs": ogc_crs.STORAGE.uri,
        "extent": {
            "spatial": {"bbox": [list(project.perimeter.geom.extent)], "crs": ogc_crs.CRS84_URI}
        },
        "links": [
            {
                "rel": "self",
                "type": "application/json",
                "href": _url(request, "ogc-partner-collection", project.slug),
            },
            {"rel": "items", "type": GEOJSON, "href": items},
            {
                "rel": QUERYABLES_REL,
                "type": SCHEMA,
                "href": _url(request, "ogc-partner-queryables", project.slug),
            },
        ],
    }


def listed(request, projects) -> list:
    """The partner projects collections /collections lists: those of projects with a
    published partner project (the collection of a project without one still answers)."""
    with_some = set(
        PartnerProject.objects.published()
        .filter(project__in=projects)
        .values_list("project", flat=True)
        .distinct()
    )
    return [collection_data(request, p) for p in projects if p.pk in with_some]


def _geometries(ids, crs) -> dict:
    """{partner project id: its place as GeoJSON (a dict) in `crs`}."""
    if not ids:
        return {}
    # Why raw SQL: PostGIS writes the place in the CRS's axis order and precision, as the
    # other collections' items (layers.ogc_crs.geometry_sql); the ids are parameters.
    sql = (
        f"SELECT id, {ogc_crs.geometry_sql(crs, 'location')}::text"  # noqa: S608
        " FROM contributions_partnerproject WHERE id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids)])
        return {row[0]: json.loads(row[1]) for row in cursor.fetchall()}


def _feature(request, partner_project, geometry, figures, *, language=None) -> dict:
    project = partner_project.project
    title = project.answer_in(partner_project.title, language=language)
    properties = {
        "id": str(partner_project.pk),
        "kind": KIND,
        "proposed_by": "partners",
        "title": title.text,
        "language": title.language,
        "description": project.answer_in(partner_project.description, language=language).text,
        "theme": partner_project.theme.slug,
        "theme_name": localized(partner_project.theme.name),
        "partner": partner_project.partner.name if partner_project.partner else None,
        "cost_band": partner_project.cost_band or None,
        "cost_band_label": str(partner_project.get_cost_band_display())
        if partner_project.cost_band
        else None,
        "timeline": project.answer_in(partner_project.timeline, language=language).text,
        "outcome": partner_project.outcome or None,
        "outcome_label": str(partner_project.get_outcome_display()),
        "outcome_answer": project.answer_in(partner_project.outcome_answer, language=language).text
        or None,
        "url": request.build_absolute_uri(page_url(partner_project)),
    }
    if figures is not None:
        properties.update(figures.get(str(partner_project.pk)) or {})
    return {
        "type": "Feature",
        "id": str(partner_project.pk),
        "geometry": geometry,
        "properties": properties,
    }


def _filtered(request, project):
    queryset = published_partner_projects(project)
    themes = ogc_params.listed(
        request, "theme", list(project.themes.values_list("slug", flat=True))
    )
    if themes:
        queryset = queryset.filter(theme__slug__in=themes)
    outcomes = ogc_params.listed(request, "outcome", OUTCOMES)
    if outcomes:
        queryset = queryset.filter(outcome__in=outcomes)
    if "partner" in request.GET:
        queryset = queryset.filter(partner__name=request.GET["partner"])
    if "bbox" in request.GET:
        drawn = ogc_crs.box(request.GET["bbox"], ogc_crs.requested(request, "bbox-crs"))
        if drawn.lonlat is not None:
            queryset = queryset.filter(location__intersects=Polygon.from_bbox(drawn.lonlat))
        else:
            queryset = ogc_crs.touching(queryset, "location", drawn)
    return queryset


def _geojson(data, crs):
    return HttpResponse(
        json.dumps(data),
        content_type=GEOJSON,
        headers={"Vary": "Accept", **ogc_crs.content_crs(crs)},
    )


@require_GET
@_errors
def collection(request, slug):
    ogc_params.check_params(request, [])
    return JsonResponse(collection_data(request, _project(slug)))


@require_GET
@_errors
def queryables(request, slug):
    """Part 3: the properties the items can be filtered on, as a JSON Schema."""
    ogc_params.check_params(request, [])
    project = _project(slug)
    partners = sorted(
        set(
            PartnerProject.objects.of_project(project)
            .published()
            .exclude(partner=None)
            .values_list("partner__name", flat=True)
        )
    )
    properties = {
        "theme": ogc_queryables.contribution_properties(project)["theme"],
        "partner": {"title": _("Partner"), "type": "string", "enum": partners},
        "outcome": {"title": _("Outcome"), "type": "string", "enum": OUTCOMES},
    }
    data = ogc_queryables.schema(
        _url(request, "ogc-partner-queryables", slug),
        _("Partner projects: %(project)s") % {"project": localized(project.title) or slug},
        properties,
    )
    return HttpResponse(json.dumps(data), content_type=SCHEMA)


@require_GET
@_errors
def items(request, slug):
    ogc_params.check_params(request, ["limit", "offset", "bbox", "bbox-crs", "crs", *QUERYABLES])
    limit, offset = ogc_params.paging(request)
    crs = ogc_crs.requested(request)
    project = _project(slug)
    queryset = _filtered(request, project)
    matched = queryset.count()
    page = list(queryset[offset : offset + limit])
    geometries = _geometries([p.pk for p in page], crs)
    figures = public_figures(project)
    features = [_feature(request, p, geometries[p.pk], figures) for p in page]
    links = [{"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()}]
    if offset + len(page) < matched:
        query = request.GET.copy()
        query["offset"], query["limit"] = offset + limit, limit
        links.append(
            {
                "rel": "next",
                "type": GEOJSON,
                "href": request.build_absolute_uri(request.path + "?" + query.urlencode()),
            }
        )
    if request.GET.get("f") == "html":
        context = {"collection_id": slug + SUFFIX, "features": features, "links": links}
        return render(request, "layers/ogc_items.html", {**context, "matched": matched})
    return _geojson(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(page),
            "features": features,
            "links": links,
        },
        crs,
    )


@require_GET
@_errors
def item(request, slug, feature_id):
    ogc_params.check_params(request, ["crs"])
    crs = ogc_crs.requested(request)
    project = _project(slug)
    try:
        identifier = uuid.UUID(feature_id)
    except ValueError:
        raise DomainError("not_found", _("No such feature."), status=404) from None
    partner_project = published_partner_projects(project).filter(pk=identifier).first()
    if partner_project is None:
        raise DomainError("not_found", _("No such feature."), status=404)
    geometry = _geometries([identifier], crs)[identifier]
    data = _feature(request, partner_project, geometry, public_figures(project))
    data["links"] = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri(request.path)},
        {
            "rel": "collection",
            "type": "application/json",
            "href": _url(request, "ogc-partner-collection", slug),
        },
    ]
    return _geojson(data, crs)
