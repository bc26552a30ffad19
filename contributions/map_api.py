"""What the project map asks while a resident places a pin: is this place accepted, which
communes are there, where is the commune they typed."""

from django.contrib.gis.geos import Point
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import services
from contributions.models import Project
from contributions.query import read_query
from core.postgis import STORAGE_SRID
from territories import selectors as territory_selectors


def _project(slug):
    return get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)


class LocationQuery(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


class CheckLocationView(APIView):
    """Answers as a submission would: 200 with the commune, or the same error and sentence."""

    @extend_schema(parameters=[LocationQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        project = _project(slug)
        q = read_query(request, LocationQuery)
        point = Point(q["lon"], q["lat"], srid=STORAGE_SRID)
        services.check_geometry(project, point)
        commune = territory_selectors.attribute(point, within=project.perimeter)
        return Response(
            {
                "accepted": True,
                "commune": {"code": commune.code, "name": commune.name} if commune else None,
            }
        )


class SimplifyQuery(serializers.Serializer):
    simplify = serializers.FloatField(min_value=0, max_value=5000, default=20)


class CommunesView(APIView):
    """The communes of the project's perimeter, lightened for the map."""

    @extend_schema(parameters=[SimplifyQuery], responses={(200, "application/geo+json"): dict})
    def get(self, request, slug):
        project = _project(slug)
        q = read_query(request, SimplifyQuery)
        body = territory_selectors.member_communes_geojson(project.perimeter, q["simplify"])
        response = HttpResponse(body, content_type="application/geo+json")
        response["Cache-Control"] = "public, max-age=3600"
        return response


class PlaceQuery(serializers.Serializer):
    q = serializers.CharField(max_length=100)


class PlacesView(APIView):
    """Communes of the perimeter by name, for "find a place"."""

    @extend_schema(parameters=[PlaceQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        project = _project(slug)
        q = read_query(request, PlaceQuery)
        results = territory_selectors.find_places(
            project.perimeter, q["q"], language=(get_language() or "").split("-")[0]
        )
        return Response({"count": len(results), "results": results})
