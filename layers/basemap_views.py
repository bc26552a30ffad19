"""The basemap over HTTP: territory vector tiles, the self-hosted archive, the client's config.

Machine addresses without a language prefix: the tiles' language is a `lang` parameter (the
default language without one), so a tile's address alone decides its bytes and any cache
may keep it.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from contributions.query import read_query
from core import basemap as choice
from core.errors import DomainError
from core.read_routing import shared_cacheable
from layers import cache
from layers.basemap import archive, client_config, territory

# Territory tiles: a re-import shows within this time (the ETag then changes); a tile asked
# with the current `version` (as the config gives it) can be kept longer.
TILE_MAX_AGE = 300
VERSIONED_MAX_AGE = 86_400
ARCHIVE_MAX_AGE = 3_600


class BasemapQuery(serializers.Serializer):
    lang = serializers.CharField(required=False, max_length=16, help_text="fr, it or en")
    version = serializers.CharField(
        required=False, max_length=64, help_text="the territories' version (from the config)"
    )


def _language(value: str | None) -> str:
    if value is None:
        return settings.LANGUAGE_CODE
    known = [code for code, _name in settings.LANGUAGES]
    if value not in known:
        raise DomainError(
            "unknown_language",
            _("There is no language %(lang)s here: use one of %(known)s.")
            % {"lang": value, "known": ", ".join(known)},
        )
    return value


def _tile_missing(z, x, y):
    return DomainError(
        "tile_out_of_range",
        _("There is no tile %(z)s/%(x)s/%(y)s: x and y are 0 to 2^zoom - 1.")
        % {"z": z, "x": x, "y": y},
        status=404,
    )


class TerritoryTileView(APIView):
    """Communes, parents, perimeters and their labels in the reader's language."""

    @extend_schema(
        operation_id="basemap_territory_tile",
        parameters=[BasemapQuery],
        responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY},
    )
    def get(self, request, z, x, y):
        if not territory.in_grid(z, x, y):
            raise _tile_missing(z, x, y)
        if not territory.served(z):
            raise DomainError(
                "zoom_not_served",
                _("The territory basemap has zooms %(min)s to %(max)s.")
                % {"min": territory.MIN_ZOOM, "max": territory.MAX_ZOOM},
                status=404,
            )
        q = read_query(request, BasemapQuery)
        language = _language(q.get("lang"))
        version = territory.version()
        tag = cache.etag(f"basemap:{version}:{language}:{z}/{x}/{y}")
        max_age = VERSIONED_MAX_AGE if q.get("version") == version else TILE_MAX_AGE
        headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
        if cache.not_modified(request, tag):
            return _with(HttpResponse(status=304), headers)
        # An empty tile is an empty body with status 200: every client reads it as no data.
        data = territory.tile(z, x, y, language)
        return _with(HttpResponse(data, content_type="application/vnd.mapbox-vector-tile"), headers)


class ConfigView(APIView):
    """The basemap configuration for pages other than the public map (admin, staff forms)."""

    @extend_schema(
        operation_id="basemap_config",
        parameters=[BasemapQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        q = read_query(request, BasemapQuery)
        # The request's language (its cookie or Accept-Language) unless `lang` names one.
        lang = q.get("lang")
        language = _language(lang) if lang is not None else _request_language()
        response = JsonResponse(client_config(language))
        response["Cache-Control"] = "private, max-age=60"
        return response


def _request_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _archive(fmt: str):
    found = choice.archive_file()
    if found.path is None or found.problem or found.format != fmt:
        raise DomainError(
            "no_archive",
            _("This site serves no basemap archive of this kind."),
            status=404,
        )
    return found


class ArchiveView(APIView):
    """The PMTiles archive itself, by byte ranges."""

    @extend_schema(
        operation_id="basemap_archive",
        responses={
            (200, "application/vnd.pmtiles"): OpenApiTypes.BINARY,
            (206, "application/vnd.pmtiles"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        path = _archive("pmtiles").path
        try:
            info = archive.stat(path)
        except OSError:
            raise DomainError(
                "no_archive", _("This site serves no basemap archive of this kind."), status=404
            ) from None
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": info.etag,
            "Last-Modified": http_date(info.mtime),
            "Cache-Control": f"public, max-age={ARCHIVE_MAX_AGE}",
        }
        wanted = archive.parse_range(request.headers.get("Range", ""), info.size)
        if_range = request.headers.get("If-Range")
        if wanted is not None and if_range and if_range != info.etag:
            wanted = None  # the file changed since the client's first bytes: send it all
        if wanted is None and cache.not_modified(request, info.etag):
            return _with(HttpResponse(status=304), headers)
        if wanted == "unsatisfiable":
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{info.size}"
            return _with(response, headers)
        start, end = wanted if wanted else (0, info.size - 1)
        body = [] if request.method == "HEAD" else archive.read_range(path, start, end)
        response = StreamingHttpResponse(
            body, status=206 if wanted else 200, content_type="application/vnd.pmtiles"
        )
        response["Content-Length"] = str(max(0, end - start + 1))
        if wanted:
            response["Content-Range"] = f"bytes {start}-{end}/{info.size}"
        return _with(response, headers)


class ArchiveTileView(APIView):
    """One tile of the MBTiles archive, at the map's z/x/y."""

    @extend_schema(
        operation_id="basemap_archive_tile",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, z, x, y):
        path = _archive("mbtiles").path
        if not territory.in_grid(z, x, y):
            raise _tile_missing(z, x, y)
        info = archive.stat(path)
        tag = cache.etag(f"mbtiles:{info.etag}:{z}/{x}/{y}")
        headers = {
            "ETag": tag,
            "Last-Modified": http_date(info.mtime),
            "Cache-Control": f"public, max-age={ARCHIVE_MAX_AGE}",
        }
        if cache.not_modified(request, tag):
            return _with(HttpResponse(status=304), headers)
        data, tile_format = archive.mbtiles_tile(path, z, x, y)
        if data is None:
            raise DomainError(
                "no_tile",
                _("The basemap archive has no tile %(z)s/%(x)s/%(y)s.") % {"z": z, "x": x, "y": y},
                status=404,
            )
        content_type = archive.CONTENT_TYPES.get(tile_format, "application/octet-stream")
        response = HttpResponse(data, content_type=content_type)
        # Vector tiles in MBTiles are stored gzipped: sent as they are, the browser unzips.
        if archive.is_gzipped(data):
            response["Content-Encoding"] = "gzip"
        return _with(response, headers)


def _with(response, headers):
    for name, value in headers.items():
        response[name] = value
    return shared_cacheable(response)
