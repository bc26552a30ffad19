"""Who may vote in a project: an account (the default, and every existing project), or also
an email address confirmed by a link. The report threshold now counts signed-in people."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0011_location_precision"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="vote_identity",
            field=models.CharField(
                choices=[
                    ("account", "a signed-in account"),
                    (
                        "account_or_email",
                        "a signed-in account or an email address confirmed by a link",
                    ),
                ],
                default="account",
                help_text=(
                    "One vote per account, and per confirmed address when emails are allowed."
                ),
                max_length=20,
                verbose_name="who may vote",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="report_threshold",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text=(
                    "An item reported by this many signed-in people is hidden until a moderator "
                    "reviews it (never one that is answered or planned; 0: never)."
                ),
                verbose_name="reports before hiding",
            ),
        ),
    ]
