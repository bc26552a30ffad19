
import django.contrib.postgres.fields
import functools
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0014_rfc7946_rings'),
    ]

    operations = [
        migrations.AddField(
            model_name='contribution',
            name='answer_texts',
            field=models.JSONField(blank=True, db_default={}, default=dict, verbose_name='official answer per language'),
        ),
        migrations.AddField(
            model_name='project',
            name='languages',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('fr', 'French'), ('it', 'Italian'), ('en', 'English')], max_length=5), default=functools.partial(list, *(['fr', 'it', 'en'],), **{}), help_text="the first one is the project's main language", size=None, verbose_name='languages of the answers'),
        ),
        migrations.AddField(
            model_name='statuschange',
            name='answer_texts',
            field=models.JSONField(blank=True, db_default={}, default=dict, verbose_name='answer per language'),
        ),
        # Answers given before answers had a text per language are in the main language.
        migrations.RunSQL(
            """
            UPDATE contributions_contribution c
            SET answer_texts = jsonb_build_object(p.languages[1], c.answer)
            FROM contributions_project p
            WHERE c.project_id = p.id AND c.answer <> '';
            UPDATE contributions_statuschange h
            SET answer_texts = jsonb_build_object(p.languages[1], h.answer)
            FROM contributions_contribution c JOIN contributions_project p ON p.id = c.project_id
            WHERE h.contribution_id = c.id AND h.answer <> '';
            """,
            migrations.RunSQL.noop,
        ),
    ]
