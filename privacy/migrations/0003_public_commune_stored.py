"""The public commune is written with the public location, by the same trigger.

privacy_set_public_location() now also sets public_commune_id, by the rule of
privacy_public_commune (privacy 0002): the contribution's own commune when no location rule
moved it, else the commune of its public location. It is recomputed whenever the public
location or the commune changes (a rule added or changed rewrites public_geom through
privacy.services, and the trigger follows). Existing rows are filled here.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION privacy_set_public_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- On update, a given public_geom is kept unless the place, kind or theme changed (the
    -- recomputing service writes it itself); otherwise it follows the rules.
    IF TG_OP = 'INSERT' OR NEW.public_geom IS NULL
       OR (NEW.geom, NEW.project_id, NEW.kind, NEW.theme_id)
          IS DISTINCT FROM (OLD.geom, OLD.project_id, OLD.kind, OLD.theme_id) THEN
        NEW.public_geom := privacy_public_location(
            NEW.id, NEW.project_id, NEW.kind, NEW.theme_id, NEW.geom);
    END IF;
    -- The commune the public reads follows the public location.
    IF TG_OP = 'INSERT'
       OR (NEW.public_geom, NEW.commune_id) IS DISTINCT FROM (OLD.public_geom, OLD.commune_id)
       OR (NEW.public_commune_id IS NULL AND NEW.commune_id IS NOT NULL) THEN
        NEW.public_commune_id := privacy_public_commune(
            NEW.project_id, NEW.geom, NEW.public_geom, NEW.commune_id);
    END IF;
    RETURN NEW;
END $$;

UPDATE contributions_contribution
SET public_commune_id = privacy_public_commune(project_id, geom, public_geom, commune_id)
WHERE public_commune_id IS DISTINCT FROM
      privacy_public_commune(project_id, geom, public_geom, commune_id);
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION privacy_set_public_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.public_geom IS NULL
       OR (NEW.geom, NEW.project_id, NEW.kind, NEW.theme_id)
          IS DISTINCT FROM (OLD.geom, OLD.project_id, OLD.kind, OLD.theme_id) THEN
        NEW.public_geom := privacy_public_location(
            NEW.id, NEW.project_id, NEW.kind, NEW.theme_id, NEW.geom);
    END IF;
    RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_public_commune"),
        ("contributions", "0013_public_commune"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
