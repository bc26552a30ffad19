"""How precisely a contribution's location is known: exact, approximate, or only its commune.
Existing rows were all placed by a tap or a drawing, so they become "exact" (the database
default, which also covers raw-SQL bulk inserts). docs/contributions.md
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0010_counts_kept_by_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="location_precision",
            field=models.CharField(
                choices=[
                    ("exact", "exact"),
                    ("approximate", "approximate"),
                    ("commune", "commune only"),
                ],
                db_default="exact",
                default="exact",
                max_length=12,
                verbose_name="location precision",
            ),
        ),
    ]
