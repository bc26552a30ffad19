"""Territories in force as OGC API features, built by PostgreSQL like the contributions list,
in any offered CRS (layers.ogc_crs)."""

from django.contrib.gis.geos import Polygon
from django.db import connection

from layers import ogc_crs
from territories.models import Territory
from territories.selectors import territory_geojson


def territory_items(*, bbox, kinds, limit, offset, crs=ogc_crs.DEFAULT):
    """(features JSON array text, number matched, number returned) for one page; `bbox` is
    an ogc_crs.Box (in any offered CRS) or None."""
    queryset = Territory.objects.current()
    if bbox is not None and bbox.lonlat is not None:
        queryset = queryset.filter(geom__intersects=Polygon.from_bbox(bbox.lonlat))
    elif bbox is not None:
        queryset = ogc_crs.touching(queryset, "geom", bbox)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    matched = queryset.count()
    page = queryset.order_by("kind", "code", "id").values("id")[offset : offset + limit]
    page_sql, page_params = page.query.sql_with_params()
    # Why raw SQL: the features are built as JSON text in the database, like the list's.
    sql = f"""
        SELECT coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', t.slug,
            'geometry', {ogc_crs.geometry_sql(crs, "t.geom")},
            'properties', json_build_object(
                'slug', t.slug, 'name', t.name, 'code', t.code, 'kind', t.kind,
                'country', t.country, 'population', t.population,
                'area_km2', round((t.area_m2 / 1e6)::numeric, 3))
        ) ORDER BY t.kind, t.code, t.id), '[]')::text, count(*)
        FROM territories_territory t WHERE t.id IN ({page_sql})
    """  # noqa: S608 - the ORM's own page query and a fixed geometry fragment; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, page_params)
        features, returned = cursor.fetchone()
    return features, matched, returned


def territory_item(territory, *, crs=ogc_crs.DEFAULT):
    """One territory as a Feature (text) in `crs`: the site's own GeoJSON in CRS84."""
    if crs is ogc_crs.DEFAULT:
        return territory_geojson(territory)
    # Why raw SQL: the same feature as territories.selectors.territory_geojson, transformed
    # by PostGIS.
    sql = f"""
        SELECT json_build_object(
            'type', 'Feature', 'id', t.slug,
            'geometry', {ogc_crs.geometry_sql(crs, "t.geom")},
            'properties', json_build_object(
                'slug', t.slug, 'name', t.name, 'code', t.code, 'kind', t.kind,
                'country', t.country, 'population', t.population,
                'area_km2', round((t.area_m2 / 1e6)::numeric, 3),
                'generation', t.generation, 'parent', parent.slug)
        )::text
        FROM territories_territory t
        LEFT JOIN territories_territory parent ON parent.id = t.parent_id
        WHERE t.id = %s
    """  # noqa: S608 - a fixed geometry fragment; the value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [territory.pk])
        return cursor.fetchone()[0]
