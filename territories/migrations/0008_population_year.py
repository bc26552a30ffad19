"""The reference year of a territory's population (INSEE publishes yearly, ISTAT's open
figures are the 2011 census), and the view territories_current_of (territories 0005) gives
it with the population it goes with: the current generation's, or the row's own."""

from django.db import migrations, models

VIEW = """
CREATE OR REPLACE VIEW territories_current_of AS
SELECT a.id, a.kind, a.code,
       coalesce(cur.name, a.name) AS name,
       coalesce(cur.population, a.population) AS population,
       coalesce(cur.country, a.country) AS country,
       coalesce(cur.id, a.id) AS current_id,
       CASE WHEN cur.population IS NOT NULL THEN cur.population_year
            ELSE a.population_year END AS population_year
FROM territories_territory a
LEFT JOIN territories_territory cur
       ON cur.kind = a.kind AND cur.code = a.code AND cur.valid_until IS NULL;
"""

# As territories 0005 made it: a view cannot drop a column by CREATE OR REPLACE.
PREVIOUS_VIEW = """
DROP VIEW territories_current_of;
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


class Migration(migrations.Migration):
    dependencies = [("territories", "0007_territory_now")]

    operations = [
        migrations.AddField(
            model_name="territory",
            name="population_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="reference year of the population",
                null=True,
                verbose_name="population year",
            ),
        ),
        migrations.RunSQL(VIEW, PREVIOUS_VIEW),
    ]
