from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0015_answer_languages"),
        ("staff", "0005_undo_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="answertemplate",
            name="texts",
            field=models.JSONField(default=dict, verbose_name="answer per language"),
        ),
        # A template written before templates had a text per language is in the project's
        # main language.
        migrations.RunSQL(
            """
            UPDATE staff_answertemplate t
            SET texts = jsonb_build_object(p.languages[1], t.text)
            FROM contributions_project p
            WHERE t.project_id = p.id AND t.text <> '';
            """,
            migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="answertemplate", name="text"),
    ]
