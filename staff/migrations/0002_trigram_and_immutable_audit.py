from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The audit log is append-only: the database itself refuses to change or remove an entry,
# whatever code (or person at a psql prompt without superuser rights to drop it) tries.
IMMUTABLE = """
CREATE FUNCTION staff_auditentry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log cannot be changed: % on staff_auditentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER staff_auditentry_immutable
    BEFORE UPDATE OR DELETE ON staff_auditentry
    FOR EACH ROW EXECUTE FUNCTION staff_auditentry_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS staff_auditentry_immutable ON staff_auditentry;
DROP FUNCTION IF EXISTS staff_auditentry_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
    ]

    operations = [
        # Possible duplicates compare texts with pg_trgm's similarity().
        TrigramExtension(),
        migrations.RunSQL(IMMUTABLE, DROP),
    ]
