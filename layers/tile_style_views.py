"""A project's contribution tiles described for GIS clients: TileJSON, a MapLibre style and a
QGIS style file (docs/tiles.md). Language from `lang` (a language the site lacks falls back to
the request's, then the default), addresses absolute from the request."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from contributions.models import Project
from contributions.query import read_query
from layers import tile_style_qml, tile_styles

# A re-import, a theme's new colour or a new language of names shows within this time.
MAX_AGE = 300


class StyleQuery(serializers.Serializer):
    lang = serializers.CharField(
        required=False,
        max_length=16,
        help_text="fr, it or en (another value: the request's language, else the default)",
    )


def _document(request, slug, build):
    project = get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
    q = read_query(request, StyleQuery)
    language = tile_styles.language_or_default(q.get("lang"), get_language())
    site = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(build(project, site=site, language=language))
    # With `lang` the address decides the bytes; without, the reader's language does.
    response["Cache-Control"] = (
        f"public, max-age={MAX_AGE}" if q.get("lang") == language else "private, max-age=60"
    )
    # Read by map libraries on other sites (MapLibre in a page elsewhere) as by QGIS.
    response["Access-Control-Allow-Origin"] = "*"
    return response


class TileJSONView(APIView):
    """TileJSON 3.0.0 of the project's contribution tiles."""

    @extend_schema(
        operation_id="tile_tilejson",
        parameters=[StyleQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        return _document(request, slug, tile_styles.tilejson)


class TileStyleView(APIView):
    """MapLibre style (version 8): the contributions by theme over the territory basemap."""

    @extend_schema(
        operation_id="tile_style",
        parameters=[StyleQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        return _document(request, slug, tile_styles.style)


class TileQmlView(APIView):
    """The same rules as a QGIS style file (.qml), for Layer Properties > Style > Load Style."""

    @extend_schema(
        operation_id="tile_style_qml",
        parameters=[StyleQuery],
        responses={(200, "application/xml"): OpenApiTypes.BINARY},
    )
    def get(self, request, slug):
        project = get_object_or_404(Project, slug=slug)
        read_query(request, StyleQuery)  # `lang` is accepted: the rules hold no text
        response = HttpResponse(tile_style_qml.qml(project), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-tiles.qml"'
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response
