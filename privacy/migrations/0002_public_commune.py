"""The commune the public reads of a contribution says no more than its public location.

A contribution keeps the commune of its exact place (contributions_enforce_perimeter): the
staff's. When a location rule moved it (its public location differs from its place), a
public output that named that commune would tell on which side of a commune boundary the
exact place lies, which the public location leaves open. The public commune is therefore
the commune of the public location, by the one attribution rule (territories_attribute,
among the project's perimeter members, within the same 5 km gap as the exact one): what
anyone would read by laying the public point on the communes' boundaries. Without a rule
the two places are one, and so are the two communes.

- privacy_public_commune(project, geom, public_geom, commune): the rule. An SQL expression
  PostgreSQL inlines into the caller's query, so an item without a rule costs nothing more
  than reading its own commune;
- privacy_commune_at(geometry, project): the commune of a public location, attributed when
  read (about 0.1 ms a point).

Public outputs join territories_current_of on privacy_public_commune(...) instead of on the
commune itself (docs/privacy.md); staff outputs keep the exact commune.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION privacy_commune_at(g geometry, project bigint) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    perimeter bigint;
BEGIN
    SELECT perimeter_id INTO perimeter FROM contributions_project WHERE id = project;
    RETURN territories_attribute(g, 'commune', perimeter, 5000);
END $$;

-- Plain SQL with no sub-select, so the planner inlines it: the exact case is a column read.
CREATE FUNCTION privacy_public_commune(
    project bigint, place geometry, public_place geometry, commune bigint
) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN public_place IS NOT DISTINCT FROM place THEN commune
                ELSE privacy_commune_at(public_place, project) END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS privacy_public_commune(bigint, geometry, geometry, bigint);
DROP FUNCTION IF EXISTS privacy_commune_at(geometry, bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("territories", "0004_sql_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
