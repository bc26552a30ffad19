"""Territories in force as OGC API features, built by PostgreSQL like the contributions list."""

from django.contrib.gis.geos import Polygon
from django.db import connection

from core.postgis import geojson_sql
from territories.models import Territory


def territory_items(*, bbox, kinds, limit, offset):
    """(features JSON array text, number matched, number returned) for one page."""
    queryset = Territory.objects.current()
    if bbox:
        queryset = queryset.filter(geom__intersects=Polygon.from_bbox(bbox))
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    matched = queryset.count()
    page = queryset.order_by("kind", "code", "id").values("id")[offset : offset + limit]
    page_sql, page_params = page.query.sql_with_params()
    # Why raw SQL: the features are built as JSON text in the database, like the list's.
    sql = f"""
        SELECT coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', t.slug,
            'geometry', {geojson_sql("t.geom")},
            'properties', json_build_object(
                'slug', t.slug, 'name', t.name, 'code', t.code, 'kind', t.kind,
                'country', t.country, 'population', t.population,
                'area_km2', round((t.area_m2 / 1e6)::numeric, 3))
        ) ORDER BY t.kind, t.code, t.id), '[]')::text, count(*)
        FROM territories_territory t WHERE t.id IN ({page_sql})
    """  # noqa: S608 - the ORM's own page query; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, page_params)
        features, returned = cursor.fetchone()
    return features, matched, returned
