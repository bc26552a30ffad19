"""The commune the public reads is stored beside the public location: privacy 0003 sets it
with public_geom (the commune of the public location when a location rule moved the place),
so public filters and pages read a column instead of attributing each row when read."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0012_vote_identity"),
        ("territories", "0005_current_of_view"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="public_commune",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.territory",
                verbose_name="public commune",
            ),
        ),
    ]
