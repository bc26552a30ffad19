"""The territory basemap: Mapbox Vector Tiles of the current communes, their parents and the
project perimeters, named in the reader's language (docs/basemap.md).

Why raw SQL: ST_AsMVT and ST_AsMVTGeom have no ORM counterpart
and a tile is one statement over one scan of the territories. Values are bound parameters;
the only text put into the statement is fixed here or by territories.selectors.
"""

import hashlib
import math

from core.db import read_connection
from core.postgis import STORAGE_SRID, WEB_MERCATOR_SRID
from layers import grid
from territories.models import TerritoryKind
from territories.selectors import display_name_sql

# A commune is a few pixels wide at zoom 5 and fills the screen at 16; the client overzooms.
MIN_ZOOM = 5
MAX_ZOOM = 16
EXTENT = 4096
BUFFER = 64  # tile units of margin, so outlines meet across tile edges without seams
# Bumped when the tiles' schema or geometry changes, so caches do not keep the old tiles.
SCHEMA_VERSION = "2"

LAYERS = ("communes", "parents", "perimeter", "labels")
PARENT_KINDS = (TerritoryKind.INTERCOMMUNALITY, TerritoryKind.PROVINCE)
KINDS = (TerritoryKind.COMMUNE, *PARENT_KINDS, TerritoryKind.PERIMETER)

# Label priority, 1 first: provinces, intercommunalities, then communes by population
# (unknown population last). The client shows low ranks first and drops what collides.
RANK_SQL = """
    CASE t.kind WHEN 'province' THEN 1 WHEN 'intercommunality' THEN 2
    ELSE CASE WHEN t.population >= 100000 THEN 3 WHEN t.population >= 20000 THEN 4
              WHEN t.population >= 5000 THEN 5 WHEN t.population >= 1000 THEN 6 ELSE 7 END
    END"""

SQL = f"""
    WITH env AS (
        SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
               ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {STORAGE_SRID}) AS inner_box,
               ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s),
                            {STORAGE_SRID}) AS box
    ),
    shapes AS (
        -- Clipped to the tile (and its margin) first, then simplified to a tile unit, in
        -- the storage CRS: a large territory costs only the vertices the tile shows.
        SELECT t.kind, t.code, {display_name_sql("t", "%(lang)s")} AS name,
               ST_AsMVTGeom(
                   ST_Transform(ST_SimplifyPreserveTopology(ST_ClipByBox2D(t.geom, env.box),
                                                            %(tolerance)s),
                                {WEB_MERCATOR_SRID}),
                   env.tile, {EXTENT}, {BUFFER}, true) AS geom
        FROM territories_territory t, env
        WHERE t.valid_until IS NULL AND t.kind = ANY(%(kinds)s) AND t.geom && env.box
    ),
    labels AS (
        -- One point per commune and parent, in the tile that holds it (never repeated in a
        -- neighbour): the territory's label point, kept by the database (the centre of the
        -- largest circle inside it: territories_label_point), so it does not move with zoom.
        SELECT t.kind, t.code, {display_name_sql("t", "%(lang)s")} AS name,
               {RANK_SQL} AS rank,
               ST_AsMVTGeom(c.centre, env.tile, {EXTENT}, 0, true) AS geom
        FROM territories_territory t, env
        CROSS JOIN LATERAL (
            SELECT ST_Transform(t.label_point, {WEB_MERCATOR_SRID}) AS centre
        ) c
        WHERE t.valid_until IS NULL AND t.kind = ANY(%(label_kinds)s)
          AND t.label_point && env.inner_box
          AND ST_X(c.centre) >= ST_XMin(env.tile) AND ST_X(c.centre) < ST_XMax(env.tile)
          AND ST_Y(c.centre) > ST_YMin(env.tile) AND ST_Y(c.centre) <= ST_YMax(env.tile)
    )
    SELECT coalesce((SELECT ST_AsMVT(q, 'communes', {EXTENT}, 'geom') FROM (
               SELECT geom, code, name FROM shapes
               WHERE kind = 'commune' AND geom IS NOT NULL) q), ''::bytea)
        || coalesce((SELECT ST_AsMVT(q, 'parents', {EXTENT}, 'geom') FROM (
               SELECT geom, code, name, kind FROM shapes
               WHERE kind = ANY(%(parent_kinds)s) AND geom IS NOT NULL) q), ''::bytea)
        || coalesce((SELECT ST_AsMVT(q, 'perimeter', {EXTENT}, 'geom') FROM (
               SELECT geom, name FROM shapes
               WHERE kind = 'perimeter' AND geom IS NOT NULL) q), ''::bytea)
        || coalesce((SELECT ST_AsMVT(q, 'labels', {EXTENT}, 'geom') FROM (
               SELECT geom, name, kind, code, rank FROM labels
               WHERE geom IS NOT NULL ORDER BY rank, name) q), ''::bytea)
"""  # noqa: S608 - fixed fragments; values are parameters


def in_grid(z: int, x: int, y: int) -> bool:
    return 0 <= z <= 30 and 0 <= x < 2**z and 0 <= y < 2**z


def served(z: int) -> bool:
    return MIN_ZOOM <= z <= MAX_ZOOM


def params(z: int, x: int, y: int, language: str) -> dict:
    """The statement's parameters for tile z/x/y in `language` (bench/basemap.py reuses them)."""
    x0, y0, x1, y1 = grid.tile_bounds(z, x, y)
    _, latitude = grid.to_lonlat(0.0, (y0 + y1) / 2)
    # One tile unit in degrees at the tile's latitude (Mercator stretches latitudes by
    # 1/cos): finer than that, ST_AsMVTGeom would snap the vertices together anyway.
    unit = grid.cell_size(z) / EXTENT
    tolerance = unit * 360.0 / grid.WORLD * math.cos(math.radians(latitude))
    return {
        "z": z,
        "x": x,
        "y": y,
        "margin": BUFFER / EXTENT,
        "tolerance": tolerance,
        "lang": language,
        "kinds": [str(kind) for kind in KINDS],
        "label_kinds": [str(TerritoryKind.COMMUNE), *(str(kind) for kind in PARENT_KINDS)],
        "parent_kinds": [str(kind) for kind in PARENT_KINDS],
    }


def tile(z: int, x: int, y: int, language: str) -> bytes:
    """The tile's bytes (empty where no territory reaches)."""
    with read_connection().cursor() as cursor:
        cursor.execute(SQL, params(z, x, y, language))
        (data,) = cursor.fetchone()
    return bytes(data)


def version() -> str:
    """A short fingerprint of the territories and their names as they are now: a re-import
    (rows closed and added), an edit or a names import changes it, and with it the tiles'
    ETag. Two aggregates over small tables, cheaper than any tile."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT t.n, t.last_id, t.updated, n.n, n.last_id
            FROM (SELECT count(*) AS n, max(id) AS last_id, max(updated_at)::text AS updated
                  FROM territories_territory) t,
                 (SELECT count(*) AS n, max(id) AS last_id FROM territories_territoryname) n
            """
        )
        row = cursor.fetchone()
    spec = f"{SCHEMA_VERSION}:{row}"
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


# The usual sources of boundaries by country, named when the stored `source` is only the
# imported file's name.
COUNTRY_SOURCES = {"FR": "IGN Admin Express", "IT": "ISTAT"}
_FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".csv", ".kml", ".gml", ".fgb")


def attribution() -> str:
    """Who the boundaries come from: the territories' `source` where it names one (not a
    file name nor a union made here), else the usual source of each country present."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT source, country FROM territories_territory
            WHERE valid_until IS NULL AND kind = ANY(%s)
            """,
            [[str(kind) for kind in (TerritoryKind.COMMUNE, *PARENT_KINDS)]],
        )
        rows = cursor.fetchall()
    named = sorted(
        {
            source.strip()
            for source, _ in rows
            if source.strip() and not source.strip().lower().endswith(_FILE_SUFFIXES)
        }
    )
    if named:
        return ", ".join(named)
    countries = sorted({country for _, country in rows if country in COUNTRY_SOURCES})
    return ", ".join(COUNTRY_SOURCES[country] for country in countries)
