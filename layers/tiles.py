"""Mapbox Vector Tiles from PostGIS (ST_AsMVT): contributions, communes and the perimeter.

Why raw SQL: ST_AsMVT and ST_AsMVTGeom have no ORM counterpart and the tile is one
statement concatenating three layers. Values are bound parameters.
"""

import json

from django.db import connection

from contributions.models import Project
from contributions.selectors import PUBLIC_GEOM, ContributionFilters
from core.postgis import STORAGE_SRID, WEB_MERCATOR_SRID
from layers import grid
from layers.public_sql import contribution_where
from layers.selectors import clusters

POINTS_FROM_ZOOM = 14  # below: clusters; from here: the contributions themselves...
MAX_POINTS_PER_TILE = 5_000  # ...unless a tile would hold more than this
EXTENT = 4096
BUFFER = 64


def tile(
    project: Project,
    z: int,
    x: int,
    y: int,
    filters: ContributionFilters,
    *,
    version: str | None = None,
) -> bytes:
    """The tile's bytes; with the request's data `version`, its clusters may come from the
    worker's in-memory index (layers.selectors.clusters)."""
    bounds = grid.tile_bounds(z, x, y)
    found = clusters(project, bounds, z, filters, version=version)
    if z >= POINTS_FROM_ZOOM and found.total <= MAX_POINTS_PER_TILE:
        layer_sql, layer_params = _points_layer(project, filters, z, x, y)
    else:
        layer_sql, layer_params = _clusters_layer(found, z, x, y)
    sql = f"""
        SELECT coalesce(({layer_sql}), ''::bytea)
            || coalesce((
                SELECT ST_AsMVT(q, 'communes', {EXTENT}, 'geom') FROM (
                    SELECT ST_AsMVTGeom(ST_Transform(t.geom, {WEB_MERCATOR_SRID}),
                                        ST_TileEnvelope(%s, %s, %s),
                                        {EXTENT}, {BUFFER}, true) AS geom,
                           t.name, t.code, t.population
                    FROM territories_territory t
                    JOIN territories_territory_members m ON m.to_territory_id = t.id
                    WHERE m.from_territory_id = %s
                    AND t.geom && ST_Transform(ST_TileEnvelope(%s, %s, %s), {STORAGE_SRID})
                ) q WHERE q.geom IS NOT NULL), ''::bytea)
            || coalesce((
                SELECT ST_AsMVT(q, 'perimeter', {EXTENT}, 'geom') FROM (
                    SELECT ST_AsMVTGeom(ST_Transform(t.geom, {WEB_MERCATOR_SRID}),
                                        ST_TileEnvelope(%s, %s, %s),
                                        {EXTENT}, {BUFFER}, true) AS geom, t.name
                    FROM territories_territory t
                    WHERE t.id = %s
                    AND t.geom && ST_Transform(ST_TileEnvelope(%s, %s, %s), {STORAGE_SRID})
                ) q WHERE q.geom IS NOT NULL), ''::bytea)
    """  # noqa: S608 - fixed fragments; values are parameters
    params = [
        *layer_params,
        z,
        x,
        y,
        project.perimeter_id,
        z,
        x,
        y,
        z,
        x,
        y,
        project.perimeter_id,
        z,
        x,
        y,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (data,) = cursor.fetchone()
    return bytes(data)


def _clusters_layer(found, z, x, y):
    rows = found.clusters
    items = [c.item or {} for c in rows]
    sql = f"""
        SELECT ST_AsMVT(q, 'contributions', {EXTENT}, 'geom') FROM (
            SELECT ST_AsMVTGeom(ST_Point(c.x, c.y, {WEB_MERCATOR_SRID}),
                                ST_TileEnvelope(%s, %s, %s),
                                {EXTENT}, {BUFFER}, true) AS geom,
                   c.count, c.count > 1 AS cluster, c.themes, c.id, c.kind, c.theme, c.title
            FROM unnest(%s::float8[], %s::float8[], %s::int[], %s::text[], %s::text[],
                        %s::text[], %s::text[], %s::text[])
                 AS c(x, y, count, themes, id, kind, theme, title)
        ) q WHERE q.geom IS NOT NULL
    """  # noqa: S608 - fixed fragments; values are parameters
    params = [
        z,
        x,
        y,
        [c.x for c in rows],
        [c.y for c in rows],
        [c.count for c in rows],
        [json.dumps(c.themes) for c in rows],
        [i.get("id") for i in items],
        [i.get("kind") for i in items],
        [i.get("theme") for i in items],
        [i.get("title") for i in items],
    ]
    return sql, params


def _points_layer(project, filters, z, x, y):
    where_sql, where_params = contribution_where(project, filters)
    sql = f"""
        SELECT ST_AsMVT(q, 'contributions', {EXTENT}, 'geom') FROM (
            SELECT ST_AsMVTGeom(ST_Transform(contributions_contribution.{PUBLIC_GEOM},
                                             {WEB_MERCATOR_SRID}),
                                ST_TileEnvelope(%s, %s, %s), {EXTENT}, {BUFFER}, true) AS geom,
                   1 AS count, false AS cluster,
                   contributions_contribution.id::text AS id, contributions_contribution.kind,
                   th.slug AS theme, contributions_contribution.title,
                   contributions_contribution.status, contributions_contribution.vote_count
            FROM contributions_contribution
            JOIN contributions_theme th ON th.id = contributions_contribution.theme_id
            WHERE {where_sql}
            AND contributions_contribution.{PUBLIC_GEOM}
                && ST_Transform(ST_TileEnvelope(%s, %s, %s), {STORAGE_SRID})
        ) q WHERE q.geom IS NOT NULL
    """  # noqa: S608 - the ORM's own WHERE clause; values are parameters
    return sql, [z, x, y, *where_params, z, x, y]
