"""Contributions are stored with their rings as RFC 7946 wants them (exterior counterclockwise,
holes clockwise): a resident may draw an area either way round. The trigger's name sorts
before the perimeter and public-location triggers, so they read the oriented shape."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION contributions_orient_rings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom := ST_ForcePolygonCCW(NEW.geom);
    NEW.public_geom := ST_ForcePolygonCCW(NEW.public_geom);
    RETURN NEW;
END $$;

CREATE TRIGGER contributions_geom_rings
    BEFORE INSERT OR UPDATE OF geom, public_geom ON contributions_contribution
    FOR EACH ROW EXECUTE FUNCTION contributions_orient_rings();

UPDATE contributions_contribution
SET geom = ST_ForcePolygonCCW(geom), public_geom = ST_ForcePolygonCCW(public_geom)
WHERE NOT ST_IsPolygonCCW(geom) OR NOT ST_IsPolygonCCW(public_geom);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS contributions_geom_rings ON contributions_contribution;
DROP FUNCTION IF EXISTS contributions_orient_rings();
"""


class Migration(migrations.Migration):
    dependencies = [("contributions", "0013_public_commune")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
