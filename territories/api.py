"""Territory lookups over HTTP: which territories contain a point, and a boundary as GeoJSON."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from territories import selectors
from territories.models import Territory, TerritoryKind

MAX_SIMPLIFY_M = 10_000


class PointQuery(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    kind = serializers.ChoiceField(choices=TerritoryKind.choices, required=False)


class TerritorySummary(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["slug", "name", "code", "kind", "country"]


class SimplifyQuery(serializers.Serializer):
    simplify = serializers.FloatField(min_value=0, max_value=MAX_SIMPLIFY_M, default=0)


class TerritoriesAtView(APIView):
    """The current territories that contain a point, smallest first."""

    @extend_schema(parameters=[PointQuery], responses=TerritorySummary(many=True))
    def get(self, request):
        query = PointQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.territories_at(
            query.validated_data["lon"],
            query.validated_data["lat"],
            query.validated_data.get("kind"),
        )
        results = TerritorySummary(found, many=True).data
        return Response({"count": len(results), "results": results})


class TerritoryGeoJSONView(APIView):
    """A current territory as a GeoJSON Feature; `simplify` in metres lightens the boundary."""

    @extend_schema(
        parameters=[
            SimplifyQuery,
            OpenApiParameter("slug", str, OpenApiParameter.PATH),
        ],
        responses={(200, "application/geo+json"): dict},
    )
    def get(self, request, slug):
        query = SimplifyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        territory = get_object_or_404(Territory.objects.current(), slug=slug)
        body = selectors.territory_geojson(territory, query.validated_data["simplify"])
        response = HttpResponse(body, content_type="application/geo+json")
        response["Cache-Control"] = "public, max-age=3600"
        return response
