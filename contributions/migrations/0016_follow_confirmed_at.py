from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0015_answer_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="follow",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed at"),
        ),
        # Every follow stored so far was written once confirmed (a link opened and its button
        # pressed, the signed-in person's verified address, or an address staff took down
        # from the resident): nothing stored an unconfirmed address. They keep being emailed.
        migrations.RunSQL(
            "UPDATE contributions_follow SET confirmed_at = created_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
