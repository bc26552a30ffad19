"""The public location: every public output shows `public_geom`, never `geom`.

The database computes it on every insert and on updates of the place, kind or theme (a
trigger, so raw-SQL bulk inserts get it too), from the project's location rules:
- grid: the representative point snapped to the nearest node of a grid of `precision_m`
  metres in ETRS89-LAEA (EPSG:3035);
- offset: moved by a distance between half and all of `precision_m` in a direction, both
  drawn from SHA-256 of a database-held random key and the contribution's id: the same
  offset on every read (averaging reads recovers nothing), not computable from the id.
Lines and areas move as a whole by their representative point's displacement (shape kept).
With no rule, the public location is the exact one. The backfill is one UPDATE (no rule
exists yet, so it copies `geom`); the spatial index is built after it.

The SQL is written out, the SRIDs as numbers (4326 storage, 3035 metric), so this
migration means the same in a year whatever the live code says.
"""

import django.contrib.gis.db.models.fields
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

# The key table got an unmanaged, read-only model in contributions 0008; a flush still
# leaves it alone (Django flushes managed tables only), so offsets survive between tests.
FUNCTIONS = """
-- Not a model: a flush between tests must not change the offsets.
CREATE TABLE contributions_location_key (key text NOT NULL);
INSERT INTO contributions_location_key
SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');

CREATE FUNCTION contributions_public_location(
    cid uuid, project bigint, ckind text, theme bigint, g geometry
) RETURNS geometry LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    rule record;
    m geometry;
    r geometry;
    h bytea;
    angle float8;
    distance float8;
    tx float8;
    ty float8;
BEGIN
    SELECT method, precision_m::float8 AS p INTO rule FROM contributions_locationrule
    WHERE project_id = project AND (kind = '' OR kind = ckind)
      AND (theme_id IS NULL OR theme_id = theme)
    ORDER BY (theme_id IS NOT NULL) DESC, (kind <> '') DESC, id LIMIT 1;
    IF NOT FOUND OR g IS NULL THEN
        RETURN g;
    END IF;
    m := ST_Transform(g, 3035);
    r := CASE WHEN GeometryType(m) = 'POINT' THEN m ELSE ST_PointOnSurface(m) END;
    IF rule.method = 'grid' THEN
        tx := round(ST_X(r) / rule.p) * rule.p;
        ty := round(ST_Y(r) / rule.p) * rule.p;
    ELSE
        h := sha256(convert_to((SELECT key FROM contributions_location_key LIMIT 1) || ':' || cid::text,
                               'UTF8'));
        angle := 2 * pi()
            * (('x' || encode(substring(h FROM 1 FOR 4), 'hex'))::bit(32)::bigint / 4294967296.0);
        -- Uniform over the ring between p/2 and p: never (almost) on the exact point.
        distance := rule.p * sqrt(0.25 + 0.75
            * (('x' || encode(substring(h FROM 5 FOR 4), 'hex'))::bit(32)::bigint / 4294967296.0));
        tx := ST_X(r) + distance * cos(angle);
        ty := ST_Y(r) + distance * sin(angle);
    END IF;
    RETURN ST_Transform(ST_Translate(m, tx - ST_X(r), ty - ST_Y(r)), 4326);
END $$;

CREATE FUNCTION contributions_set_public_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- On update, a given public_geom is kept unless the place, kind or theme changed (the
    -- recomputing service writes it itself); otherwise it follows the rules.
    IF TG_OP = 'INSERT' OR NEW.public_geom IS NULL
       OR (NEW.geom, NEW.project_id, NEW.kind, NEW.theme_id)
          IS DISTINCT FROM (OLD.geom, OLD.project_id, OLD.kind, OLD.theme_id) THEN
        NEW.public_geom := contributions_public_location(
            NEW.id, NEW.project_id, NEW.kind, NEW.theme_id, NEW.geom);
    END IF;
    RETURN NEW;
END $$;
"""

FORWARD = (
    """
ALTER TABLE contributions_contribution ADD COLUMN public_geom geometry(Geometry, 4326);
-- The map's running counts do not move (public_geom = geom): skip their update trigger.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'layers_cells_update') THEN
        ALTER TABLE contributions_contribution DISABLE TRIGGER layers_cells_update;
    END IF;
END $$;
UPDATE contributions_contribution SET public_geom = geom;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'layers_cells_update') THEN
        ALTER TABLE contributions_contribution ENABLE TRIGGER layers_cells_update;
    END IF;
END $$;
CREATE INDEX contributions_contribution_public_geom_id
    ON contributions_contribution USING gist (public_geom);
"""
    + FUNCTIONS
    + """
CREATE TRIGGER contributions_public_location
    BEFORE INSERT OR UPDATE ON contributions_contribution
    FOR EACH ROW EXECUTE FUNCTION contributions_set_public_location();
"""
)

BACKWARD = """
DROP TRIGGER IF EXISTS contributions_public_location ON contributions_contribution;
DROP FUNCTION IF EXISTS contributions_set_public_location();
DROP FUNCTION IF EXISTS contributions_public_location(uuid, bigint, text, bigint, geometry);
DROP TABLE IF EXISTS contributions_location_key;
ALTER TABLE contributions_contribution DROP COLUMN IF EXISTS public_geom;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0006_participation"),
        ("territories", "0004_sql_functions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ParticipantProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "age_bracket",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("under_18", "under 18"),
                            ("18_29", "18 to 29"),
                            ("30_44", "30 to 44"),
                            ("45_59", "45 to 59"),
                            ("60_74", "60 to 74"),
                            ("75_plus", "75 or more"),
                        ],
                        max_length=10,
                        verbose_name="age bracket",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "contribution",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="profile",
                        to="contributions.contribution",
                    ),
                ),
                (
                    "residence",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="territories.territory",
                        verbose_name="commune of residence",
                    ),
                ),
            ],
            options={
                "verbose_name": "participant profile",
                "verbose_name_plural": "participant profiles",
            },
        ),
        migrations.CreateModel(
            name="LocationRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("proposal", "proposal"),
                            ("report", "report of a problem"),
                            ("observation", "observation"),
                        ],
                        help_text="blank: any",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("grid", "snap to a grid"), ("offset", "move by a stable offset")],
                        max_length=10,
                        verbose_name="method",
                    ),
                ),
                (
                    "precision_m",
                    models.PositiveIntegerField(
                        help_text="grid cell size, or offset radius, in metres",
                        validators=[
                            django.core.validators.MinValueValidator(10),
                            django.core.validators.MaxValueValidator(10000),
                        ],
                        verbose_name="precision (m)",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="location_rules",
                        to="contributions.project",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        help_text="empty: any",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contributions.theme",
                        verbose_name="theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "location rule",
                "verbose_name_plural": "location rules",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project", "kind", "theme"),
                        name="one_location_rule_per_scope",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="contribution",
                    name="public_geom",
                    field=django.contrib.gis.db.models.fields.GeometryField(
                        blank=True,
                        editable=False,
                        null=True,
                        srid=4326,
                        verbose_name="public location",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
        ),
    ]
