"""What a counted visit led to that day: a contribution, a sign-up. Visits counted before this
migration have neither marked (docs/figures.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_trigram_and_immutable_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyvisit",
            name="contributed",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="dailyvisit",
            name="signed_up",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
