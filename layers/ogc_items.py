"""Contributions as OGC API features in any offered CRS (Part 2).

The same public list as contributions.selectors.feature_collection_page (the same filters,
the same properties, built as JSON text by PostgreSQL); only the geometry differs: PostGIS
transforms the stored one and writes it in the CRS's axis order and precision. CRS84 with
no projected bbox is that list itself.
"""

from django.db import connection
from django.db.models import Max, Min

from contributions.filters import ContributionFilters
from contributions.models import PUBLIC_GEOM, PUBLIC_STATUSES, Project
from contributions.selectors import (
    FEATURE_SQL,
    FROM_SQL,
    ORDERINGS,
    PUBLIC_COMMUNE_JOIN,
    fast_public_count,
    feature,
    feature_collection_page,
    public_contributions,
)
from core.postgis import geojson_sql
from layers import ogc_crs

_STORED_GEOMETRY = geojson_sql(f"c.{PUBLIC_GEOM}")
if _STORED_GEOMETRY not in FEATURE_SQL:  # pragma: no cover - caught by the first import
    raise RuntimeError("contributions.selectors.FEATURE_SQL no longer writes c.public_geom")


def _feature_sql(crs):
    geometry = ogc_crs.geometry_sql(crs, f"c.{PUBLIC_GEOM}")
    return FEATURE_SQL.replace(_STORED_GEOMETRY, geometry).replace("%(photos)s", "%s")


def contribution_page(
    project: Project,
    filters: ContributionFilters,
    *,
    crs: ogc_crs.Crs,
    drawn: ogc_crs.Box | None,
    photo_base: str,
    limit: int,
    offset: int,
) -> tuple[str, int, int]:
    """(features JSON array text, number matched, number returned) for one page, in `crs`,
    touching the box `drawn` (in any CRS) if there is one."""
    if drawn is not None and drawn.lonlat is not None:
        filters.touching, drawn = drawn.lonlat, None  # degrees: the filters' own rule
    if crs is ogc_crs.DEFAULT and drawn is None:
        return feature_collection_page(
            project, filters, photo_base=photo_base, limit=limit, offset=offset
        )
    queryset = public_contributions(project, filters)
    matched = None
    if drawn is not None:
        queryset = ogc_crs.touching(queryset, PUBLIC_GEOM, drawn)
    else:
        matched = fast_public_count(project, filters)
    if matched is None:
        matched = queryset.count()
    column, direction = ORDERINGS["-created_at"]
    where_sql, where_params = queryset.query.get_compiler(connection=connection).compile(
        queryset.query.where
    )
    # Fast path, raw SQL, as the list's: the ORM's WHERE clause, the page taken in index
    # order, then the features built as text with the geometry transformed by PostGIS.
    sql = f"""
        SELECT coalesce(json_agg(page.feature), '[]')::text, count(*) FROM (
            SELECT {_feature_sql(crs)} AS feature
            FROM (SELECT * FROM contributions_contribution WHERE {where_sql}
                  ORDER BY {column} {direction}, id LIMIT %s OFFSET %s) c
            JOIN contributions_theme th ON th.id = c.theme_id
            {PUBLIC_COMMUNE_JOIN}
            ORDER BY c.{column} {direction}, c.id
        ) page
    """  # noqa: S608 - fixed fragments; values are bound parameters
    params = [photo_base, photo_base, *where_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        features, returned = cursor.fetchone()
    return features, matched, returned


def contribution(project: Project, identifier, *, crs: ogc_crs.Crs, photo_base: str):
    """One public contribution of the project as a Feature (text) in `crs`, or None."""
    if crs is ogc_crs.DEFAULT:
        body = feature(identifier, photo_base=photo_base)
        if body is None or not project.contributions.filter(pk=identifier).exists():
            return None
        return body
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_feature_sql(crs)}::text {FROM_SQL}"
            " WHERE c.id = %s AND c.project_id = %s AND c.status = ANY(%s)",
            [photo_base, photo_base, str(identifier), project.pk, PUBLIC_STATUSES],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def first_and_last(project: Project):
    """The creation dates of the first and the last public contribution (None, None when
    there is none): the collection's temporal extent."""
    dates = public_contributions(project, ContributionFilters()).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    return dates["first"], dates["last"]
