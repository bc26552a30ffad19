"""Location rules and participant profiles move to the privacy app, API clients to the
open311 app: they leave this app's state only. Their tables stay as they are here and are
renamed by the migrations that take them over (privacy 0001, open311 0001), which run after
this one, so the rename happens once and no model is ever in two apps' states at a time."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("contributions", "0008_no_live_callables")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LocationRule"),
                migrations.DeleteModel(name="ParticipantProfile"),
                migrations.DeleteModel(name="ApiClient"),
            ],
            database_operations=[],
        ),
    ]
