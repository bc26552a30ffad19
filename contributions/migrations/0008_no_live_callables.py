"""Model fields stop naming callables of the application, and the location key gets a model.

- Project.kinds defaults to a copy of a literal list (functools.partial of the builtin
  list), so the kinds are recorded here as data;
- Follow.token defaults to secrets.token_urlsafe(24) directly;
- Photo files are uploaded under "contributions/", the service naming them with the
  contribution's id as a sub-folder (the same paths as photo_path gave);
- contributions_location_key (contributions 0007, raw SQL) gets an unmanaged, read-only model
  so the ORM and makemigrations see it; nothing in the database changes.

Every callable here comes from the standard library: the migration means the same in a year.
"""

import functools
import secrets

import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contributions", "0007_public_location")]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="kinds",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("proposal", "proposal"),
                        ("report", "report of a problem"),
                        ("observation", "observation"),
                    ],
                    max_length=20,
                ),
                default=functools.partial(list, ["proposal", "report", "observation"]),
                size=None,
                verbose_name="accepted kinds",
            ),
        ),
        migrations.AlterField(
            model_name="follow",
            name="token",
            field=models.CharField(
                default=functools.partial(secrets.token_urlsafe, 24),
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="photo",
            name="large",
            field=models.FileField(max_length=200, upload_to="contributions/"),
        ),
        migrations.AlterField(
            model_name="photo",
            name="thumbnail",
            field=models.FileField(max_length=200, upload_to="contributions/"),
        ),
        migrations.CreateModel(
            name="LocationKey",
            fields=[
                ("key", models.TextField(editable=False, primary_key=True, serialize=False)),
            ],
            options={
                "db_table": "contributions_location_key",
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
