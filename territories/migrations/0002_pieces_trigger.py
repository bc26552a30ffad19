"""Keep territory pieces and areas in step with boundaries, whoever writes them.

A trigger rather than Python signals, so imports, raw SQL and the admin all go through it.
"""

from django.db import migrations

# Pieces of at most 96 vertices: small enough for fast point-in-polygon tests.
FORWARD = """
CREATE FUNCTION territories_set_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_m2 := ST_Area(NEW.geom::geography);
    RETURN NEW;
END $$;

CREATE TRIGGER territories_area
    BEFORE INSERT OR UPDATE OF geom ON territories_territory
    FOR EACH ROW EXECUTE FUNCTION territories_set_area();

CREATE FUNCTION territories_subdivide() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM territories_territorypiece WHERE territory_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO territories_territorypiece (territory_id, geom)
        SELECT NEW.id, piece
        FROM ST_Subdivide(NEW.geom, 96) AS piece
        WHERE GeometryType(piece) = 'POLYGON';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;  -- a BEFORE DELETE trigger must return the row to let the delete happen
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER territories_pieces_insert
    AFTER INSERT ON territories_territory
    FOR EACH ROW EXECUTE FUNCTION territories_subdivide();
CREATE TRIGGER territories_pieces_update
    AFTER UPDATE OF geom ON territories_territory
    FOR EACH ROW WHEN (OLD.geom IS DISTINCT FROM NEW.geom)
    EXECUTE FUNCTION territories_subdivide();
CREATE TRIGGER territories_pieces_delete
    BEFORE DELETE ON territories_territory
    FOR EACH ROW EXECUTE FUNCTION territories_subdivide();

-- Tolerance lookups measure metres on the spheroid: index the geography too.
CREATE INDEX territories_piece_geog_idx
    ON territories_territorypiece USING gist ((geom::geography));
"""

BACKWARD = """
DROP INDEX IF EXISTS territories_piece_geog_idx;
DROP TRIGGER IF EXISTS territories_pieces_delete ON territories_territory;
DROP TRIGGER IF EXISTS territories_pieces_update ON territories_territory;
DROP TRIGGER IF EXISTS territories_pieces_insert ON territories_territory;
DROP FUNCTION IF EXISTS territories_subdivide();
DROP TRIGGER IF EXISTS territories_area ON territories_territory;
DROP FUNCTION IF EXISTS territories_set_area();
"""


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_territories")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
