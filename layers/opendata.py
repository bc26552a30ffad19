"""Open data: a project's published contributions, streamed in constant memory.

Rows come from a server-side cursor in chunks and leave as they come, so a million
contributions cost the same memory as a hundred. No personal data: no email, no author.
"""

import io
import json

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.views import APIView

from contributions.filters import FilterQuery, filters_from
from contributions.models import Project
from contributions.photo_urls import photo_base
from contributions.query import read_query
from contributions.selectors import FEATURE_SQL, PUBLIC_COMMUNE_JOIN, PUBLIC_PROPERTIES
from core.escaping import SpreadsheetWriter
from layers.public_sql import contribution_where

CHUNK = 2_000
CSV_COLUMNS = [*PUBLIC_PROPERTIES, "lon", "lat", "geometry"]  # WKT, as in every CSV export


def _features(project, filters, photo_base):
    """One GeoJSON Feature (text) per published contribution, oldest first."""
    where_sql, where_params = contribution_where(project, filters, with_bbox=True)
    # Why raw SQL: the features are built by PostgreSQL and read through a server-side
    # cursor (chunked_cursor), which the ORM offers only for model instances.
    sql = f"""
        SELECT {FEATURE_SQL.replace("%(photos)s", "%s")}::text
        FROM (SELECT * FROM contributions_contribution WHERE {where_sql}) c
        JOIN contributions_theme th ON th.id = c.theme_id
        {PUBLIC_COMMUNE_JOIN}
        ORDER BY c.created_at, c.id
    """  # noqa: S608 - the ORM's own WHERE clause; values are parameters
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [photo_base, photo_base, *where_params])
        while rows := cursor.fetchmany(CHUNK):
            for (feature,) in rows:
                yield feature


def geojson_stream(features, licence):
    yield json.dumps({"type": "FeatureCollection", "license": licence})[:-1] + ', "features": ['
    for index, feature in enumerate(features):
        yield ("," if index else "") + feature
    yield "]}"


def csv_stream(features):
    buffer = io.StringIO()
    # Residents write the titles: one that reads as a formula is written as text.
    writer = SpreadsheetWriter(buffer)
    writer.writerow(CSV_COLUMNS)
    for text in features:
        feature = json.loads(text)
        properties, geometry = feature["properties"], feature["geometry"]
        lon, lat = geometry["coordinates"] if geometry["type"] == "Point" else ("", "")
        values = [
            "" if properties.get(name) is None else properties[name] for name in PUBLIC_PROPERTIES
        ]
        writer.writerow([*values, lon, lat, GEOSGeometry(json.dumps(geometry)).wkt])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class OpenDataView(APIView):
    """The published contributions of a project that publishes open data (ODbL by default)."""

    @extend_schema(
        operation_id="open_data",
        parameters=[FilterQuery],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request, slug, fmt):
        project = get_object_or_404(Project, slug=slug)
        if not project.publishes_open_data:
            raise Http404
        filters = filters_from(read_query(request, FilterQuery))
        features = _features(project, filters, photo_base(request))
        if fmt == "geojson":
            stream = geojson_stream(features, project.open_data_licence)
            response = StreamingHttpResponse(stream, content_type="application/geo+json")
        else:
            response = StreamingHttpResponse(csv_stream(features), content_type="text/csv")
        filename = f"{project.slug}-contributions.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
