"""API keys are kept as their SHA-256 digest and first characters, never in clear: existing
keys keep working (their digest is computed here), and are no longer readable."""

from django.db import migrations, models

DIGEST = """
UPDATE open311_apiclient
SET key_digest = encode(sha256(convert_to(key, 'UTF8')), 'hex'), key_prefix = left(key, 4)
"""


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="key_digest",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="apiclient",
            name="key_prefix",
            field=models.CharField(
                default="", editable=False, max_length=8, verbose_name="API key starts with"
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(DIGEST, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="apiclient", name="key"),
        migrations.AlterField(
            model_name="apiclient",
            name="key_digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
