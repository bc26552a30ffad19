"""A territory row of any generation, seen as its code is now.

Contributions keep the commune row (the boundary generation) they were attributed to; what a
person reads is that commune as it is today: the current generation's name and population for
the same kind and code (the row itself when the code has no current boundary any more).
Outputs join this view instead of the raw row, so a yearly boundary re-import renames and
regroups nothing. docs/database.md, docs/territories.md
"""

from django.db import migrations

FORWARD = """
CREATE VIEW territories_current_of AS
SELECT a.id, a.kind, a.code,
       coalesce(cur.name, a.name) AS name,
       coalesce(cur.population, a.population) AS population,
       coalesce(cur.country, a.country) AS country,
       coalesce(cur.id, a.id) AS current_id
FROM territories_territory a
LEFT JOIN territories_territory cur
       ON cur.kind = a.kind AND cur.code = a.code AND cur.valid_until IS NULL;
"""

BACKWARD = "DROP VIEW IF EXISTS territories_current_of;"


class Migration(migrations.Migration):
    dependencies = [("territories", "0004_sql_functions")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
