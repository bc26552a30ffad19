"""API clients become the open311 app's model, their rows and keys kept.

contributions 0004 created them; contributions 0009 took them out of that app's state. Here
they enter open311's state while the database renames their table and its many-to-many
table, with the sequences, indexes and constraints Django had named after the old tables,
to the names Django gives a fresh open311 app: an upgraded database and a fresh one end the
same. The content type follows the model, so admin permissions and history stay.
"""

import functools
import secrets

from django.db import migrations, models

RENAME_TABLES = """
ALTER TABLE contributions_apiclient RENAME TO open311_apiclient;
ALTER SEQUENCE contributions_apiclient_id_seq RENAME TO open311_apiclient_id_seq;
ALTER TABLE open311_apiclient
    RENAME CONSTRAINT contributions_apiclient_pkey TO open311_apiclient_pkey;
ALTER TABLE open311_apiclient
    RENAME CONSTRAINT contributions_apiclient_key_key TO open311_apiclient_key_key;
ALTER INDEX contributions_apiclient_key_f487be2d_like RENAME TO open311_apiclient_key_1524e53e_like;

ALTER TABLE contributions_apiclient_projects RENAME TO open311_apiclient_projects;
ALTER SEQUENCE contributions_apiclient_projects_id_seq
    RENAME TO open311_apiclient_projects_id_seq;
ALTER TABLE open311_apiclient_projects
    RENAME CONSTRAINT contributions_apiclient_projects_pkey TO open311_apiclient_projects_pkey;
ALTER TABLE open311_apiclient_projects
    RENAME CONSTRAINT contributions_apiclient__apiclient_id_project_id_9e2e2a14_uniq
    TO open311_apiclient_projec_apiclient_id_project_id_30c2b164_uniq;
ALTER TABLE open311_apiclient_projects
    RENAME CONSTRAINT contributions_apicli_apiclient_id_180116cf_fk_contribut
    TO open311_apiclient_pr_apiclient_id_52b8f8fb_fk_open311_a;
ALTER TABLE open311_apiclient_projects
    RENAME CONSTRAINT contributions_apicli_project_id_35842b1d_fk_contribut
    TO open311_apiclient_pr_project_id_7cebb584_fk_contribut;
ALTER INDEX contributions_apiclient_projects_apiclient_id_180116cf
    RENAME TO open311_apiclient_projects_apiclient_id_52b8f8fb;
ALTER INDEX contributions_apiclient_projects_project_id_35842b1d
    RENAME TO open311_apiclient_projects_project_id_7cebb584;
"""

RESTORE_TABLES = """
ALTER TABLE open311_apiclient RENAME TO contributions_apiclient;
ALTER SEQUENCE open311_apiclient_id_seq RENAME TO contributions_apiclient_id_seq;
ALTER TABLE contributions_apiclient
    RENAME CONSTRAINT open311_apiclient_pkey TO contributions_apiclient_pkey;
ALTER TABLE contributions_apiclient
    RENAME CONSTRAINT open311_apiclient_key_key TO contributions_apiclient_key_key;
ALTER INDEX open311_apiclient_key_1524e53e_like RENAME TO contributions_apiclient_key_f487be2d_like;

ALTER TABLE open311_apiclient_projects RENAME TO contributions_apiclient_projects;
ALTER SEQUENCE open311_apiclient_projects_id_seq
    RENAME TO contributions_apiclient_projects_id_seq;
ALTER TABLE contributions_apiclient_projects
    RENAME CONSTRAINT open311_apiclient_projects_pkey TO contributions_apiclient_projects_pkey;
ALTER TABLE contributions_apiclient_projects
    RENAME CONSTRAINT open311_apiclient_projec_apiclient_id_project_id_30c2b164_uniq
    TO contributions_apiclient__apiclient_id_project_id_9e2e2a14_uniq;
ALTER TABLE contributions_apiclient_projects
    RENAME CONSTRAINT open311_apiclient_pr_apiclient_id_52b8f8fb_fk_open311_a
    TO contributions_apicli_apiclient_id_180116cf_fk_contribut;
ALTER TABLE contributions_apiclient_projects
    RENAME CONSTRAINT open311_apiclient_pr_project_id_7cebb584_fk_contribut
    TO contributions_apicli_project_id_35842b1d_fk_contribut;
ALTER INDEX open311_apiclient_projects_apiclient_id_52b8f8fb
    RENAME TO contributions_apiclient_projects_apiclient_id_180116cf;
ALTER INDEX open311_apiclient_projects_project_id_7cebb584
    RENAME TO contributions_apiclient_projects_project_id_35842b1d;
"""


def move_content_type(apps, schema_editor, source="contributions", target="open311"):
    """The model's content type changes app, so permissions and admin history stay its own
    (a fresh database has none yet: post_migrate creates it afterwards)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=target, model="apiclient").exists():
        content_type.objects.filter(app_label=source, model="apiclient").update(app_label=target)


def restore_content_type(apps, schema_editor):
    move_content_type(apps, schema_editor, source="open311", target="contributions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contributions", "0009_privacy_models_move_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiClient",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "key",
                            models.CharField(
                                default=functools.partial(secrets.token_urlsafe, 32),
                                editable=False,
                                max_length=64,
                                unique=True,
                                verbose_name="API key",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "projects",
                            models.ManyToManyField(
                                blank=True,
                                help_text="the projects this key may post to; none means "
                                "every project",
                                related_name="api_clients",
                                to="contributions.project",
                                verbose_name="projects",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API client",
                        "verbose_name_plural": "API clients",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[migrations.RunSQL(RENAME_TABLES, RESTORE_TABLES)],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
