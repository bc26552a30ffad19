"""Tables made by raw SQL have unmanaged models that match them, and the ORM reads them."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection

from contributions.models import LocationKey
from layers.grid import COUNT_COLUMNS, STORED_LEVELS
from layers.models import ClusterCell, DataVersion
from territories.models import TerritoryNow
from tests.database.helpers import rows, table_columns

pytestmark = pytest.mark.django_db

# Tables of extensions, and Django's own bookkeeping, which no app models.
NOT_THE_APPLICATIONS = {"spatial_ref_sys", "django_migrations"}


def models_tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return tables


def test_every_table_has_a_model():
    orphans = set(connection.introspection.table_names()) - models_tables() - NOT_THE_APPLICATIONS
    assert not orphans, (
        f"tables without a model: {sorted(orphans)}. A table created by raw SQL gets an "
        "unmanaged model (Meta.managed = False) in its app's models.py, and a CreateModel in "
        "a migration, so the ORM, the admin and makemigrations see it (docs/database.md)."
    )


@pytest.mark.parametrize("model", [ClusterCell, DataVersion, LocationKey, TerritoryNow])
def test_unmanaged_models_claim_exactly_their_tables_columns(model):
    assert not model._meta.managed
    claimed = sorted(field.column for field in model._meta.concrete_fields if field.column)
    assert claimed == sorted(table_columns(model._meta.db_table))


def test_the_orm_reads_the_running_counts_and_versions(demo):
    # The ORM's reading of the cells is the database's, composite key included.
    [(n, version)] = rows(
        "SELECT (SELECT sum(n) FROM layers_clustercell WHERE project_id = %s AND level = %s),"
        " (SELECT version FROM layers_version WHERE project_id = %s)",
        [demo.pk, STORED_LEVELS[0], demo.pk],
    )
    cells = ClusterCell.objects.filter(project=demo, level=STORED_LEVELS[0])
    assert sum(cell.n for cell in cells) == n > 0
    cell = cells.first()
    assert cell.pk == (demo.pk, cell.level, cell.cx, cell.cy, cell.theme_id)
    assert ClusterCell.objects.get(pk=cell.pk).n == cell.n
    assert sum(getattr(cell, column) for column in COUNT_COLUMNS.values()) == cell.n
    assert DataVersion.objects.get(project=demo).version == version


def test_the_location_key_reads_but_never_writes():
    key = LocationKey.objects.get()
    assert len(key.key) == 64
    assert key.key not in str(key) and key.key not in repr(key)
    for write in (
        key.save,
        key.delete,
        lambda: LocationKey.objects.update(key="x"),
        lambda: LocationKey.objects.all().delete(),
        lambda: LocationKey.objects.create(key="x"),
        lambda: LocationKey.objects.bulk_create([LocationKey(key="x")]),
    ):
        with pytest.raises(TypeError, match="read-only"):
            write()
    assert LocationKey.objects.get().key == key.key


def test_the_location_key_is_not_in_the_admin():
    assert LocationKey not in admin.site._registry
