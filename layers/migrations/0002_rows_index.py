"""Rings along a viewport's top and bottom edges are wide in columns and thin in rows: an
index that leads with the row serves them as the primary key serves the side rings."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_cluster_cells")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX layers_clustercell_rows ON layers_clustercell"
            " (project_id, level, cy, cx)",
            "DROP INDEX IF EXISTS layers_clustercell_rows",
        )
    ]
