"""OGC API - Features for GIS clients such as QGIS and GDAL: Part 1 (Core), Part 2 (CRS by
reference: layers.ogc_crs) and Part 3's queryables with their query parameters.

A thin layer over the same selectors as the rest of the API: each project's contributions are
the public list (contributions.selectors, contributions.filters), territories the current ones;
results, partner projects, questionnaires: layers.ogc_listing. Only public data."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.gis.db.models import Extent
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contributions.filters import parse_filters
from contributions.models import Project
from contributions.photo_urls import photo_base
from core.errors import DomainError
from core.i18n import localized
from layers import ogc_crs, ogc_items, ogc_listing, ogc_openapi, ogc_params, ogc_queryables
from layers.ogc_common import absolute_url as _url
from layers.ogc_common import ogc_errors
from layers.ogc_territories import territory_item, territory_items
from territories.models import Territory, TerritoryKind

GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
CRS84 = ogc_crs.CRS84_URI
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
# The query parameters of each collection's items beyond paging: the queryables.
CONTRIBUTION_QUERYABLES = ("commune", "theme", "kind", "status")
TERRITORY_QUERYABLES = ("kind",)
ITEMS_PARAMS = ["limit", "offset", "bbox", "bbox-crs", "crs"]
TERRITORIES = "territories"
CONTRIBUTIONS_SUFFIX = "-contributions"


def _wants_html(request):
    if request.GET.get("f") == "html":
        return True
    if request.GET.get("f") in ("json", "geojson"):
        return False
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in accept


def _respond(
    request, data, *, template, content_type="application/json", context=None, headers=None
):
    if _wants_html(request):
        return render(request, template, {"data": data, **(context or {})})
    return HttpResponse(
        json.dumps(data, default=str),
        content_type=content_type,
        headers={"Vary": "Accept", **(headers or {})},
    )


def rfc3339(moment):
    """A date-time as RFC 3339 in UTC ("2026-03-01T08:00:00Z"), fractions only if any."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@require_GET
@ogc_errors
def landing(request):
    ogc_params.check_params(request, [])
    data = {
        "title": _("Participatory mapping: contributions and territories"),
        "description": _(
            "Residents' contributions (published only) and territories, as OGC API - Features."
        ),
        "links": [
            {"rel": "self", "type": "application/json", "href": _url(request, "ogc-landing")},
            {
                "rel": "alternate",
                "type": "text/html",
                "href": _url(request, "ogc-landing", f="html"),
            },
            {"rel": "service-desc", "type": OPENAPI, "href": _url(request, "ogc-api")},
            {"rel": "service-doc", "type": "text/html", "href": _url(request, "ogc-api", f="html")},
            {
                "rel": "conformance",
                "type": "application/json",
                "href": _url(request, "ogc-conformance"),
            },
            {"rel": "data", "type": "application/json", "href": _url(request, "ogc-collections")},
        ],
    }
    return _respond(request, data, template="layers/ogc_page.html")


@require_GET
@ogc_errors
def conformance(request):
    ogc_params.check_params(request, [])
    return _respond(request, {"conformsTo": CONFORMANCE}, template="layers/ogc_page.html")


@require_GET
@ogc_errors
def api(request):
    ogc_params.check_params(request, [])
    document = ogc_openapi.document(request.build_absolute_uri(reverse("ogc-landing")))
    if _wants_html(request):
        return render(request, "layers/ogc_page.html", {"data": document})
    return HttpResponse(json.dumps(document), content_type=OPENAPI)


def _public_projects():
    return Project.objects.select_related("perimeter").order_by("slug")


def _collection(request, collection_id, title, description, extent, interval):
    items = _url(request, "ogc-items", collection_id)
    return {
        "id": collection_id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": ogc_crs.URIS,
        "storageCrs": ogc_crs.STORAGE.uri,
        "extent": {
            "spatial": {"bbox": [list(extent)], "crs": CRS84},
            "temporal": {
                "interval": [interval],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            },
        },
        "links": [
            {
                "rel": "self",
                "type": "application/json",
                "href": _url(request, "ogc-collection", collection_id),
            },
            {"rel": "items", "type": GEOJSON, "href": items},
            {"rel": "items", "type": "text/html", "href": items + "?f=html"},
            {
                "rel": QUERYABLES_REL,
                "type": SCHEMA,
                "href": _url(request, "ogc-queryables", collection_id),
            },
        ],
    }


def _contributions_collection(request, project):
    return _collection(
        request,
        project.slug + CONTRIBUTIONS_SUFFIX,
        localized(project.title) or project.slug,
        _("Published contributions (proposals, reports, observations) of this project."),
        project.perimeter.geom.extent,
        # The true span of the items: the first and the last published contribution.
        [rfc3339(moment) for moment in ogc_items.first_and_last(project)],
    )


def _territories_collection(request):
    extent = Territory.objects.current().aggregate(e=Extent("geom"))["e"] or (-180, -90, 180, 90)
    return _collection(
        request,
        TERRITORIES,
        _("Territories"),
        _("Communes, intercommunalities, provinces and project perimeters in force."),
        extent,
        [None, None],
    )


@require_GET
@ogc_errors
def collections(request):
    ogc_params.check_params(request, [])
    data = {
        "links": [
            {"rel": "self", "type": "application/json", "href": _url(request, "ogc-collections")},
        ],
        "collections": [_contributions_collection(request, p) for p in _public_projects()]
        + [_territories_collection(request)]
        + ogc_listing.listed(request, _public_projects()),
    }
    return _respond(request, data, template="layers/ogc_page.html")


def _project_of(collection_id):
    if not collection_id.endswith(CONTRIBUTIONS_SUFFIX):
        return None
    return get_object_or_404(_public_projects(), slug=collection_id[: -len(CONTRIBUTIONS_SUFFIX)])


@require_GET
@ogc_errors
def collection(request, collection_id):
    ogc_params.check_params(request, [])
    if collection_id == TERRITORIES:
        data = _territories_collection(request)
    else:
        project = _project_of(collection_id)
        if project is None:
            raise DomainError("not_found", _("No such collection."), status=404)
        data = _contributions_collection(request, project)
    return _respond(request, data, template="layers/ogc_page.html")


def _links(request, collection_id, limit, offset, returned, matched):
    base = _url(request, "ogc-items", collection_id)
    # Every value of every parameter, as the client sent it: a theme or a datetime holding
    # "&", "#", a space or an accent must come back as the same parameter, hence urlencode.
    query = {k: v for k, v in request.GET.lists() if k not in ("offset", "limit", "f")}

    def href(new_offset, f=None):
        params = {**query, "limit": limit, "offset": new_offset, **({"f": f} if f else {})}
        # Commas, colons and slashes are legal in a query and keep bbox and datetime legible.
        return base + "?" + urlencode(params, doseq=True, safe=",:/")

    links = [
        {"rel": "self", "type": GEOJSON, "href": href(offset)},
        {"rel": "alternate", "type": "text/html", "href": href(offset, "html")},
        {
            "rel": "collection",
            "type": "application/json",
            "href": _url(request, "ogc-collection", collection_id),
        },
    ]
    if offset + returned < matched:
        links.append({"rel": "next", "type": GEOJSON, "href": href(offset + limit)})
    if offset > 0:
        links.append({"rel": "prev", "type": GEOJSON, "href": href(max(0, offset - limit))})
    return links


def _next_microsecond(moment):
    """The instant just after `moment` (None for none, or for the end of the calendar)."""
    try:
        return moment + timedelta(microseconds=1) if moment else None
    except OverflowError:  # 9999-12-31T23:59:59.999999: nothing is created after it
        return None


def _contributions_project(collection_id):
    project = _project_of(collection_id)
    if project is None:
        raise DomainError("not_found", _("No such collection."), status=404)
    return project


@require_GET
@ogc_errors
def queryables(request, collection_id):
    """Part 3: the properties the items can be filtered on, as a JSON Schema."""
    ogc_params.check_params(request, [])
    if collection_id == TERRITORIES:
        title, properties = _("Territories"), ogc_queryables.territory_properties()
    else:
        project = _contributions_project(collection_id)
        title = localized(project.title) or project.slug
        properties = ogc_queryables.contribution_properties(project)
    data = ogc_queryables.schema(_url(request, "ogc-queryables", collection_id), title, properties)
    return _respond(request, data, template="layers/ogc_page.html", content_type=SCHEMA)


@require_GET
@ogc_errors
def items(request, collection_id):
    limit, offset = ogc_params.paging(request)
    crs = ogc_crs.requested(request)
    bbox_crs = ogc_crs.requested(request, "bbox-crs")
    bbox = ogc_crs.box(request.GET["bbox"], bbox_crs) if "bbox" in request.GET else None
    if collection_id == TERRITORIES:
        ogc_params.check_params(request, [*ITEMS_PARAMS, *TERRITORY_QUERYABLES])
        kinds = ogc_params.listed(request, "kind", TerritoryKind.values)
        features, matched, returned = territory_items(
            bbox=bbox, kinds=kinds, limit=limit, offset=offset, crs=crs
        )
    else:
        project = _contributions_project(collection_id)
        ogc_params.check_params(request, [*ITEMS_PARAMS, "datetime", *CONTRIBUTION_QUERYABLES])
        start, end = (
            ogc_params.datetime_interval(request.GET["datetime"])
            if "datetime" in request.GET
            else (None, None)
        )
        # The queryables are the site's own filters, read by its one filter rule.
        params = {
            name: request.GET[name] for name in CONTRIBUTION_QUERYABLES if name in request.GET
        }
        filters = parse_filters(params, project=project)
        # OGC API intervals are closed; the filters' end is not: the end's next microsecond
        # (the database's resolution) makes it so, and an instant finds what it names.
        filters.created_after = start
        filters.created_before = _next_microsecond(end)
        # OGC API - Features' bbox selects the shapes that touch the box.
        features, matched, returned = ogc_items.contribution_page(
            project,
            filters,
            crs=crs,
            drawn=bbox,
            photo_base=photo_base(request),
            limit=limit,
            offset=offset,
        )
    links = _links(request, collection_id, limit, offset, returned, matched)
    if _wants_html(request):
        return render(
            request,
            "layers/ogc_items.html",
            {
                "collection_id": collection_id,
                "features": json.loads(features),
                "links": links,
                "matched": matched,
            },
        )
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "numberMatched": matched,
            "numberReturned": returned,
            "links": links,
        }
    )
    return HttpResponse(
        f'{head[:-1]}, "features": {features}}}',
        content_type=GEOJSON,
        headers={"Vary": "Accept", **ogc_crs.content_crs(crs)},
    )


@require_GET
@ogc_errors
def item(request, collection_id, feature_id):
    ogc_params.check_params(request, ["crs"])
    crs = ogc_crs.requested(request)
    if collection_id == TERRITORIES:
        territory = get_object_or_404(Territory.objects.current(), slug=feature_id)
        body = territory_item(territory, crs=crs)
    else:
        project = _contributions_project(collection_id)
        try:
            identifier = uuid.UUID(feature_id)
        except ValueError:
            raise DomainError("not_found", _("No such feature."), status=404) from None
        body = ogc_items.contribution(project, identifier, crs=crs, photo_base=photo_base(request))
        if body is None:
            raise DomainError("not_found", _("No such feature."), status=404)
    data = json.loads(body)
    data["links"] = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri(request.path)},
        {
            "rel": "collection",
            "type": "application/json",
            "href": _url(request, "ogc-collection", collection_id),
        },
    ]
    return _respond(
        request,
        data,
        template="layers/ogc_page.html",
        content_type=GEOJSON,
        headers=ogc_crs.content_crs(crs),
    )
