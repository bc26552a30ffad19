"""Containment and attribution as SQL functions, so triggers and selectors share one rule."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION territories_covers(territory bigint, g geometry, tolerance_m float8)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN GeometryType(g) = 'POINT' THEN
            EXISTS (SELECT 1 FROM territories_territorypiece p
                    WHERE p.territory_id = territory AND ST_Intersects(p.geom, g))
            OR (tolerance_m > 0 AND EXISTS (
                SELECT 1 FROM territories_territorypiece p
                WHERE p.territory_id = territory
                AND ST_DWithin(p.geom::geography, g::geography, tolerance_m)))
        ELSE (
            -- Only the pieces near the geometry are unioned, never the whole boundary.
            SELECT coalesce(
                ST_CoveredBy(g, near.u)
                OR (tolerance_m > 0 AND ST_CoveredBy(
                    ST_Transform(g, 3035), ST_Buffer(ST_Transform(near.u, 3035), tolerance_m))),
                false)
            FROM (SELECT ST_Union(p.geom) AS u FROM territories_territorypiece p
                  WHERE p.territory_id = territory
                  AND ST_DWithin(p.geom::geography, g::geography, tolerance_m)) AS near)
    END
$$;

CREATE FUNCTION territories_anchor(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN GeometryType(g) = 'POINT' THEN g ELSE ST_PointOnSurface(g) END
$$;

-- The one current territory of a kind that a geometry belongs to: the smallest containing one
-- (then the lowest code), else the nearest within max_gap_m; `within` limits the answer to a
-- perimeter's members.
CREATE FUNCTION territories_attribute(g geometry, kind text, within bigint, max_gap_m float8)
RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    -- Two plain subqueries (no shared CTE) so each one walks the GiST index of the pieces.
    SELECT coalesce(
        (SELECT t.id FROM territories_territorypiece p
         JOIN territories_territory t ON t.id = p.territory_id
         WHERE t.kind = $2 AND t.valid_until IS NULL
         AND ($3 IS NULL OR t.id IN (SELECT to_territory_id FROM territories_territory_members
                                     WHERE from_territory_id = $3))
         AND ST_Intersects(p.geom, territories_anchor(g))
         ORDER BY t.area_m2, t.code, t.id LIMIT 1),
        (SELECT t.id FROM territories_territorypiece p
         JOIN territories_territory t ON t.id = p.territory_id
         WHERE t.kind = $2 AND t.valid_until IS NULL
         AND ($3 IS NULL OR t.id IN (SELECT to_territory_id FROM territories_territory_members
                                     WHERE from_territory_id = $3))
         AND ST_DWithin(p.geom::geography, territories_anchor(g)::geography, max_gap_m)
         ORDER BY ST_Distance(p.geom::geography, territories_anchor(g)::geography), t.code, t.id
         LIMIT 1)
    )
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS territories_attribute(geometry, text, bigint, float8);
DROP FUNCTION IF EXISTS territories_covers(bigint, geometry, float8);
DROP FUNCTION IF EXISTS territories_anchor(geometry);
"""


class Migration(migrations.Migration):
    dependencies = [("territories", "0003_perimeter_members")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
