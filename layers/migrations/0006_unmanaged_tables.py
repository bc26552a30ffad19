"""The tables layers 0001 created by raw SQL get unmanaged models (layers/models.py), so the
ORM and makemigrations see them. Nothing in the database changes.

The count columns are listed as they are in the database (3 kinds x 7 public statuses);
makemigrations does not follow unmanaged models' fields, so a new kind or public status is
caught by tests/database/test_counts_schema.py, which asks for its own migration.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0005_version_follows_titles"),
        ("contributions", "0001_contributions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClusterCell",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "project",
                        "level",
                        "cx",
                        "cy",
                        "theme",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contributions.project",
                    ),
                ),
                ("level", models.SmallIntegerField()),
                ("cx", models.IntegerField()),
                ("cy", models.IntegerField()),
                (
                    "theme",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contributions.theme",
                    ),
                ),
                ("n", models.IntegerField()),
                ("sx", models.FloatField()),
                ("sy", models.FloatField()),
                ("minx", models.FloatField()),
                ("miny", models.FloatField()),
                ("maxx", models.FloatField()),
                ("maxy", models.FloatField()),
                ("proposal_published", models.IntegerField(default=0)),
                ("proposal_under_review", models.IntegerField(default=0)),
                ("proposal_accepted", models.IntegerField(default=0)),
                ("proposal_planned", models.IntegerField(default=0)),
                ("proposal_done", models.IntegerField(default=0)),
                ("proposal_rejected", models.IntegerField(default=0)),
                ("proposal_duplicate", models.IntegerField(default=0)),
                ("report_published", models.IntegerField(default=0)),
                ("report_under_review", models.IntegerField(default=0)),
                ("report_accepted", models.IntegerField(default=0)),
                ("report_planned", models.IntegerField(default=0)),
                ("report_done", models.IntegerField(default=0)),
                ("report_rejected", models.IntegerField(default=0)),
                ("report_duplicate", models.IntegerField(default=0)),
                ("observation_published", models.IntegerField(default=0)),
                ("observation_under_review", models.IntegerField(default=0)),
                ("observation_accepted", models.IntegerField(default=0)),
                ("observation_planned", models.IntegerField(default=0)),
                ("observation_done", models.IntegerField(default=0)),
                ("observation_rejected", models.IntegerField(default=0)),
                ("observation_duplicate", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "layers_clustercell",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "project",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="contributions.project",
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
            options={
                "db_table": "layers_version",
                "managed": False,
            },
        ),
    ]
