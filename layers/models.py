"""Models of the layers app: the two tables its migrations create by raw SQL (layers 0001).

The database writes them (the count triggers on contributions_contribution, and the bulk
path in layers.receivers); these unmanaged models let the ORM read them and make them
visible to makemigrations. The SQL in layers.selectors and layers.cache stays the fast path.
"""

from django.db import models

from contributions.models import Project, Theme
from layers.grid import COUNT_COLUMNS


class ClusterCell(models.Model):
    """Running counts of a project's public contributions of one theme in one grid cell.

    n, sx, sy: how many, and the sums of their Web Mercator coordinates (the mean is the
    cluster's position); minx..maxy: the box of the level-20 cells (about 38 m) holding
    them, which shrinks when they leave (layers.grid.EXTENT_LEVEL, layers 0007). A cell
    every point has left keeps its row at zero, sums included.
    """

    # The table's own primary key (layers 0001). No foreign keys in the database: the
    # triggers upsert cells in bulk and never look projects or themes up.
    pk = models.CompositePrimaryKey("project", "level", "cx", "cy", "theme")
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    level = models.SmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    theme = models.ForeignKey(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField()
    sx = models.FloatField()
    sy = models.FloatField()
    minx = models.FloatField()
    miny = models.FloatField()
    maxx = models.FloatField()
    maxy = models.FloatField()

    class Meta:
        managed = False
        db_table = "layers_clustercell"

    def __str__(self):
        return f"level {self.level} cell {self.cx},{self.cy}: {self.n}"


# One count column per (kind, public status), from the list the live SQL uses: the model
# claims what the code expects, and tests/database/test_counts_schema.py fails when the
# database lacks it (a kind or public status added without its migration).
for _column in COUNT_COLUMNS.values():
    ClusterCell.add_to_class(_column, models.IntegerField(default=0))


class DataVersion(models.Model):
    """A project's data version, bumped by every write the map shows: the cache key of its
    clusters and tiles (layers.cache)."""

    project = models.OneToOneField(
        Project,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    version = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "layers_version"

    def __str__(self):
        return f"version {self.version}"
