"""An unmanaged, read-only model over the view territories_current_of (territories 0005), so
the ORM reads a commune as it is now from the one rule; nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('territories', '0006_alternative_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='TerritoryNow',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('kind', models.CharField(choices=[('commune', 'commune'), ('intercommunality', 'intercommunality'), ('province', 'province'), ('region', 'region'), ('country', 'country'), ('perimeter', 'project perimeter'), ('other', 'other')], max_length=32)),
                ('code', models.CharField(max_length=32)),
                ('name', models.CharField(max_length=200)),
                ('population', models.PositiveIntegerField(null=True)),
                ('country', models.CharField(max_length=2)),
                ('current_id', models.BigIntegerField()),
            ],
            options={
                'db_table': 'territories_current_of',
                'managed': False,
                'default_permissions': (),
            },
        ),
    ]
