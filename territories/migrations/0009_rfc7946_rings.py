"""Boundaries are stored with their rings as RFC 7946 wants them (exterior counterclockwise,
holes clockwise), whoever writes them: an import, the admin, raw SQL. Outputs orient again
(core.postgis.geojson_sql) since simplifying or clipping may turn a ring."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION territories_orient_rings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom := ST_ForcePolygonCCW(NEW.geom);
    RETURN NEW;
END $$;

CREATE TRIGGER territories_geom_rings
    BEFORE INSERT OR UPDATE OF geom ON territories_territory
    FOR EACH ROW EXECUTE FUNCTION territories_orient_rings();

UPDATE territories_territory SET geom = ST_ForcePolygonCCW(geom) WHERE NOT ST_IsPolygonCCW(geom);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS territories_geom_rings ON territories_territory;
DROP FUNCTION IF EXISTS territories_orient_rings();
"""


class Migration(migrations.Migration):
    dependencies = [("territories", "0008_population_year")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
