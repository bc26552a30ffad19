"""Map layers over HTTP: clusters for a viewport, vector tiles."""

import re
import time

import orjson
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from contributions.filters import FilterQuery, filters_from
from contributions.query import read_query
from core.errors import DomainError
from core.read_routing import shared_cacheable
from layers import cache, cluster_geojson, grid, tiles

MAX_ZOOM = 22


class ClusterQuery(FilterQuery):
    bbox = FilterQuery().fields["bbox"].__class__(help_text="minlon,minlat,maxlon,maxlat (WGS84)")
    zoom = serializers.IntegerField(min_value=0, max_value=MAX_ZOOM)


_PLAIN_NUMBER = re.compile(r"-?\d{1,3}(\.\d{1,17})?")
_PLAIN_ZOOM = re.compile(r"\d{1,2}")


def plain_viewport(params) -> dict | None:
    """`bbox` and `zoom` alone, plainly written and valid, read without building the
    serializer (the map asks on every pan; a serializer costs a third of a millisecond);
    None for anything else, which ClusterQuery then reads, errors included. Tests hold
    both readings to the same values."""
    if set(params) != {"bbox", "zoom"} or len(params.getlist("bbox")) != 1:
        return None
    if len(params.getlist("zoom")) != 1 or not _PLAIN_ZOOM.fullmatch(params["zoom"]):
        return None
    parts = params["bbox"].split(",")
    if len(parts) != 4 or not all(_PLAIN_NUMBER.fullmatch(part) for part in parts):
        return None
    minx, miny, maxx, maxy = (float(part) for part in parts)
    zoom = int(params["zoom"])
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90 and zoom <= MAX_ZOOM):
        return None
    return {"bbox": (minx, miny, maxx, maxy), "zoom": zoom}


class ClustersView(APIView):
    @extend_schema(
        operation_id="clusters",
        parameters=[ClusterQuery],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        project, version = cache.project_and_version(slug)
        q = plain_viewport(request.query_params) or read_query(request, ClusterQuery)
        lon0, lat0, lon1, lat1 = q["bbox"]
        x0, y0 = grid.to_mercator(lon0, lat0)
        x1, y1 = grid.to_mercator(lon1, lat1)
        filters = filters_from({**q, "bbox": None})
        key = cache.clusters_key(version, q["zoom"], (x0, y0, x1, y1), filters)
        tag = cache.etag(key)
        headers = cache.headers(request, tag)
        if cache.not_modified(request, tag):
            return _with(HttpResponse(status=304), headers)
        started = time.perf_counter()
        body, source = cache.get(key), "cache"
        if body is None:
            collection, source = cluster_geojson.collection(
                project, (x0, y0, x1, y1), q["zoom"], filters, version=version
            )
            body = orjson.dumps(collection)
            cache.put(key, body)
        # Where the clusters came from (shared cache, in-memory index, SQL), for operators
        # and the benchmark; nothing about the data.
        headers["Server-Timing"] = (
            f'clusters;desc="{source}";dur={(time.perf_counter() - started) * 1000:.1f}'
        )
        # No translated text in the body (slugs, counts, residents' own titles): it does not
        # vary with the language, nor with the client's cookies.
        return _with(HttpResponse(body, content_type="application/geo+json"), headers)


class TileView(APIView):
    @extend_schema(
        operation_id="tile",
        parameters=[FilterQuery],
        responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY},
    )
    def get(self, request, slug, z, x, y):
        project, version = cache.project_and_version(slug)
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            raise DomainError(
                "tile_out_of_range",
                _(
                    "There is no tile %(z)s/%(x)s/%(y)s: "
                    "zoom is 0 to %(max)s, x and y 0 to 2^zoom - 1."
                )
                % {"z": z, "x": x, "y": y, "max": MAX_ZOOM},
            )
        q = read_query(request, FilterQuery)
        query = request.META.get("QUERY_STRING", "")
        tag = cache.etag(f"tile:{version}:{z}/{x}/{y}?{query}")
        # Names and codes only, no translated text: no Vary on the language or cookies.
        headers = cache.headers(request, tag)
        if tag in request.headers.get("If-None-Match", ""):
            return _with(HttpResponse(status=304), headers)
        data = tiles.tile(project, z, x, y, filters_from({**q, "bbox": None}), version=version)
        if not data:
            return _with(HttpResponse(status=204), headers)
        return _with(HttpResponse(data, content_type="application/vnd.mapbox-vector-tile"), headers)


def _with(response, headers):
    for name, value in headers.items():
        response[name] = value
    return shared_cacheable(response)
