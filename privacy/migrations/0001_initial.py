"""Location rules and participant profiles become privacy's models, their rows kept.

contributions 0007 created them; contributions 0009 took them out of that app's state. Here
they enter privacy's state while the database renames their tables, and the sequences,
indexes and constraints Django had named after the old tables, to the names Django gives a
fresh privacy app: an upgraded database and a fresh one end the same.

The public location is privacy's rule, so its database function and trigger move too. The
contributions_* ones (contributions 0007) are dropped and these created:
- privacy_public_location(uuid, bigint, text, bigint, geometry): the same body, reading
  privacy_locationrule;
- privacy_set_public_location() and its trigger privacy_public_location, BEFORE INSERT OR
  UPDATE on contributions_contribution: still after contributions_inside_perimeter, since
  PostgreSQL fires the triggers of one timing in name order.
The offset key stays in contributions_location_key (contributions 0007, 0008): no offset
changes. The content types follow the models, so admin permissions and history stay.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

RENAME_TABLES = """
ALTER TABLE contributions_locationrule RENAME TO privacy_locationrule;
ALTER SEQUENCE contributions_locationrule_id_seq RENAME TO privacy_locationrule_id_seq;
ALTER TABLE privacy_locationrule
    RENAME CONSTRAINT contributions_locationrule_pkey TO privacy_locationrule_pkey;
ALTER TABLE privacy_locationrule
    RENAME CONSTRAINT contributions_locationrule_precision_m_check
    TO privacy_locationrule_precision_m_check;
ALTER TABLE privacy_locationrule
    RENAME CONSTRAINT contributions_locati_project_id_e4a184d9_fk_contribut
    TO privacy_locationrule_project_id_ec2f4e42_fk_contribut;
ALTER TABLE privacy_locationrule
    RENAME CONSTRAINT contributions_locati_theme_id_1d0a1bc1_fk_contribut
    TO privacy_locationrule_theme_id_540a25b6_fk_contribut;
ALTER INDEX contributions_locationrule_project_id_e4a184d9
    RENAME TO privacy_locationrule_project_id_ec2f4e42;
ALTER INDEX contributions_locationrule_theme_id_1d0a1bc1
    RENAME TO privacy_locationrule_theme_id_540a25b6;

ALTER TABLE contributions_participantprofile RENAME TO privacy_participantprofile;
ALTER SEQUENCE contributions_participantprofile_id_seq
    RENAME TO privacy_participantprofile_id_seq;
ALTER TABLE privacy_participantprofile
    RENAME CONSTRAINT contributions_participantprofile_pkey TO privacy_participantprofile_pkey;
ALTER TABLE privacy_participantprofile
    RENAME CONSTRAINT contributions_participantprofile_contribution_id_key
    TO privacy_participantprofile_contribution_id_key;
ALTER TABLE privacy_participantprofile
    RENAME CONSTRAINT contributions_partic_contribution_id_4c5dcf01_fk_contribut
    TO privacy_participantp_contribution_id_588efa1c_fk_contribut;
ALTER TABLE privacy_participantprofile
    RENAME CONSTRAINT contributions_partic_residence_id_522dfa0b_fk_territori
    TO privacy_participantp_residence_id_d81c4a2f_fk_territori;
ALTER INDEX contributions_participantprofile_residence_id_522dfa0b
    RENAME TO privacy_participantprofile_residence_id_d81c4a2f;
"""

RESTORE_TABLES = """
ALTER TABLE privacy_locationrule RENAME TO contributions_locationrule;
ALTER SEQUENCE privacy_locationrule_id_seq RENAME TO contributions_locationrule_id_seq;
ALTER TABLE contributions_locationrule
    RENAME CONSTRAINT privacy_locationrule_pkey TO contributions_locationrule_pkey;
ALTER TABLE contributions_locationrule
    RENAME CONSTRAINT privacy_locationrule_precision_m_check
    TO contributions_locationrule_precision_m_check;
ALTER TABLE contributions_locationrule
    RENAME CONSTRAINT privacy_locationrule_project_id_ec2f4e42_fk_contribut
    TO contributions_locati_project_id_e4a184d9_fk_contribut;
ALTER TABLE contributions_locationrule
    RENAME CONSTRAINT privacy_locationrule_theme_id_540a25b6_fk_contribut
    TO contributions_locati_theme_id_1d0a1bc1_fk_contribut;
ALTER INDEX privacy_locationrule_project_id_ec2f4e42
    RENAME TO contributions_locationrule_project_id_e4a184d9;
ALTER INDEX privacy_locationrule_theme_id_540a25b6
    RENAME TO contributions_locationrule_theme_id_1d0a1bc1;

ALTER TABLE privacy_participantprofile RENAME TO contributions_participantprofile;
ALTER SEQUENCE privacy_participantprofile_id_seq
    RENAME TO contributions_participantprofile_id_seq;
ALTER TABLE contributions_participantprofile
    RENAME CONSTRAINT privacy_participantprofile_pkey TO contributions_participantprofile_pkey;
ALTER TABLE contributions_participantprofile
    RENAME CONSTRAINT privacy_participantprofile_contribution_id_key
    TO contributions_participantprofile_contribution_id_key;
ALTER TABLE contributions_participantprofile
    RENAME CONSTRAINT privacy_participantp_contribution_id_588efa1c_fk_contribut
    TO contributions_partic_contribution_id_4c5dcf01_fk_contribut;
ALTER TABLE contributions_participantprofile
    RENAME CONSTRAINT privacy_participantp_residence_id_d81c4a2f_fk_territori
    TO contributions_partic_residence_id_522dfa0b_fk_territori;
ALTER INDEX privacy_participantprofile_residence_id_d81c4a2f
    RENAME TO contributions_participantprofile_residence_id_522dfa0b;
"""

# The body of contributions 0007's function, reading the renamed table. SRIDs as numbers:
# 4326 storage, 3035 (ETRS89-LAEA) for metres.
PUBLIC_LOCATION = """
DROP TRIGGER contributions_public_location ON contributions_contribution;
DROP FUNCTION contributions_set_public_location();
DROP FUNCTION contributions_public_location(uuid, bigint, text, bigint, geometry);

CREATE FUNCTION privacy_public_location(
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
    SELECT method, precision_m::float8 AS p INTO rule FROM privacy_locationrule
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

CREATE FUNCTION privacy_set_public_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- On update, a given public_geom is kept unless the place, kind or theme changed (the
    -- recomputing service writes it itself); otherwise it follows the rules.
    IF TG_OP = 'INSERT' OR NEW.public_geom IS NULL
       OR (NEW.geom, NEW.project_id, NEW.kind, NEW.theme_id)
          IS DISTINCT FROM (OLD.geom, OLD.project_id, OLD.kind, OLD.theme_id) THEN
        NEW.public_geom := privacy_public_location(
            NEW.id, NEW.project_id, NEW.kind, NEW.theme_id, NEW.geom);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER privacy_public_location
    BEFORE INSERT OR UPDATE ON contributions_contribution
    FOR EACH ROW EXECUTE FUNCTION privacy_set_public_location();
"""

# Back to contributions 0007's function and trigger, as that migration wrote them.
CONTRIBUTIONS_PUBLIC_LOCATION = """
DROP TRIGGER privacy_public_location ON contributions_contribution;
DROP FUNCTION privacy_set_public_location();
DROP FUNCTION privacy_public_location(uuid, bigint, text, bigint, geometry);

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

CREATE TRIGGER contributions_public_location
    BEFORE INSERT OR UPDATE ON contributions_contribution
    FOR EACH ROW EXECUTE FUNCTION contributions_set_public_location();
"""

MODELS = ["locationrule", "participantprofile"]


def move_content_types(apps, schema_editor, source="contributions", target="privacy"):
    """The models' content types change app, so permissions and admin history stay theirs
    (a fresh database has none yet: post_migrate creates them afterwards)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, source="privacy", target="contributions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contributions", "0009_privacy_models_move_out"),
        ("territories", "0004_sql_functions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ParticipantProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
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
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
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
                                choices=[
                                    ("grid", "snap to a grid"),
                                    ("offset", "move by a stable offset"),
                                ],
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
            ],
            database_operations=[migrations.RunSQL(RENAME_TABLES, RESTORE_TABLES)],
        ),
        migrations.RunSQL(PUBLIC_LOCATION, CONTRIBUTIONS_PUBLIC_LOCATION),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
