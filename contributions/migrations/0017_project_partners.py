import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0016_follow_confirmed_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectPartner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "logo",
                    models.ImageField(
                        blank=True,
                        help_text="PNG, JPEG or WebP, at most 2 MB; stored as a PNG of at most 800 pixels.",
                        max_length=200,
                        upload_to="partners/",
                        verbose_name="logo",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partners",
                        to="contributions.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "partner",
                "verbose_name_plural": "partners",
                "ordering": ["position", "name"],
            },
        ),
    ]
