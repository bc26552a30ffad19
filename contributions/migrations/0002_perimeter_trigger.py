"""The database itself refuses a contribution outside its project's perimeter.

No import, script or admin form can store one; the commune is attributed here when the
writer did not give it, with the same rule as the application (territories_attribute).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE contributions_contribution ADD CONSTRAINT contribution_geom_simple_type
    CHECK (GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON'));

CREATE FUNCTION contributions_enforce_perimeter() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    perimeter bigint;
    tolerance float8;
BEGIN
    SELECT perimeter_id, tolerance_m INTO perimeter, tolerance
    FROM contributions_project WHERE id = NEW.project_id;
    -- Points inside: static statements, whose plans PL/pgSQL keeps for the session (the
    -- bulk path writes a million rows through here). Anything else: the shared SQL rule.
    IF GeometryType(NEW.geom) = 'POINT' THEN
        PERFORM 1 FROM territories_territorypiece
        WHERE territory_id = perimeter AND ST_Intersects(geom, NEW.geom) LIMIT 1;
    END IF;
    IF NOT (GeometryType(NEW.geom) = 'POINT' AND FOUND)
       AND NOT territories_covers(perimeter, NEW.geom, tolerance) THEN
        RAISE EXCEPTION 'outside_perimeter'
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'contribution_inside_perimeter',
                  DETAIL = format('Contribution %s lies outside the perimeter of project %s.',
                                  NEW.id, NEW.project_id);
    END IF;
    IF NEW.commune_id IS NULL AND GeometryType(NEW.geom) = 'POINT' THEN
        -- Same rule as territories_attribute, first branch: smallest member, then lowest code.
        SELECT t.id INTO NEW.commune_id
        FROM territories_territorypiece p
        JOIN territories_territory t ON t.id = p.territory_id
        JOIN territories_territory_members m
          ON m.to_territory_id = t.id AND m.from_territory_id = perimeter
        WHERE t.kind = 'commune' AND t.valid_until IS NULL AND ST_Intersects(p.geom, NEW.geom)
        ORDER BY t.area_m2, t.code, t.id LIMIT 1;
    END IF;
    IF NEW.commune_id IS NULL THEN
        NEW.commune_id := territories_attribute(NEW.geom, 'commune', perimeter, 5000);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER contributions_inside_perimeter
    BEFORE INSERT OR UPDATE OF geom, project_id ON contributions_contribution
    FOR EACH ROW EXECUTE FUNCTION contributions_enforce_perimeter();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS contributions_inside_perimeter ON contributions_contribution;
DROP FUNCTION IF EXISTS contributions_enforce_perimeter();
ALTER TABLE contributions_contribution DROP CONSTRAINT IF EXISTS contribution_geom_simple_type;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0001_contributions"),
        ("territories", "0004_sql_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
