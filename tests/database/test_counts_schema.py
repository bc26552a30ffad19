"""The running per-cell counts in the database are the ones the live code expects.

The migrations wrote the count columns and the trigger functions out as literal SQL, for the
kinds and public statuses of their day. The live code derives them from Kind and
PUBLIC_STATUSES (layers.grid.COUNT_COLUMNS, layers.counts.delta_sql), and the bulk path runs
that live SQL. Adding a kind or a public status changes the live side only: these tests fail
until a migration brings the database along.
"""

import pytest

from layers import counts
from layers.counts import PUBLIC_CHANGED, SHOWN_CHANGED, bump_sql, delta_sql
from layers.grid import COUNT_COLUMNS
from layers.models import ClusterCell
from tests.database.helpers import function_source, squeeze, table_columns

pytestmark = pytest.mark.django_db

CELL_COLUMNS = ["project_id", "level", "cx", "cy", "theme_id", "n", "sx", "sy"]
EXTENT_COLUMNS = ["minx", "miny", "maxx", "maxy"]

WRITE_A_MIGRATION = (
    "A kind or a public status was added or removed (or layers/counts.py changed) without a "
    "migration. Write one in layers/migrations/ that (1) adds or drops the count columns of "
    "layers_clustercell (`<kind>_<status> integer NOT NULL DEFAULT 0`) and backfills them, "
    "(2) CREATE OR REPLACEs layers_after_insert, layers_after_delete and layers_after_update "
    "with the SQL layers.counts now generates, pasted as literal text (see docs/database.md, "
    "'Changing the counted kinds or statuses')."
)


def column_drift(count_columns):
    """(columns the code counts that the table lacks, columns the table has that it does not)."""
    expected = CELL_COLUMNS + EXTENT_COLUMNS + list(count_columns.values())
    actual = table_columns("layers_clustercell")
    return (
        [column for column in expected if column not in actual],
        [column for column in actual if column not in expected],
    )


def expected_statements():
    """What each trigger function must run, as the live code writes it now (layers 0004 and
    0005 pasted the same text): the counts move by the statement's rows, by public location."""
    return {
        "layers_after_insert": [delta_sql("new_rows", 1), bump_sql("new_rows")],
        "layers_after_delete": [delta_sql("old_rows", -1), bump_sql("old_rows")],
        "layers_after_update": [
            delta_sql(PUBLIC_CHANGED.format(side="old_rows", other="new_rows"), -1),
            delta_sql(PUBLIC_CHANGED.format(side="new_rows", other="old_rows"), 1),
            bump_sql(SHOWN_CHANGED.format(side="new_rows", other="old_rows")),
        ],
    }


def statement_drift():
    """(function, statement) pairs the live code generates that the installed function lacks."""
    return [
        (function, statement)
        for function, statements in expected_statements().items()
        for statement in statements
        if squeeze(statement) not in squeeze(function_source(function))
    ]


def test_the_count_columns_are_the_ones_the_code_counts():
    missing, unknown = column_drift(COUNT_COLUMNS)
    assert not missing and not unknown, (
        f"layers_clustercell lacks {missing} and has {unknown} that the code does not count. "
        + WRITE_A_MIGRATION
    )


def test_the_unmanaged_model_claims_exactly_the_tables_columns():
    model = [field.column for field in ClusterCell._meta.concrete_fields if field.column]
    assert sorted(model) == sorted(table_columns("layers_clustercell")), WRITE_A_MIGRATION


def test_the_trigger_functions_run_the_sql_the_bulk_path_runs():
    drift = statement_drift()
    assert not drift, (
        "\n\n".join(
            f"{function}() in the database does not run this statement that layers.counts "
            f"generates now:\n{statement.strip()}"
            for function, statement in drift
        )
        + "\n\n"
        + WRITE_A_MIGRATION
    )


def test_a_new_kind_without_its_migration_is_caught(monkeypatch):
    # As if Kind had gained a kind: the live side changes, the database does not.
    added = {**COUNT_COLUMNS, ("not_a_kind", "published"): "not_a_kind_published"}
    assert column_drift(added) == (["not_a_kind_published"], [])
    monkeypatch.setattr(counts, "COUNTS", list(added.items()))
    assert {function for function, _statement in statement_drift()} == {
        "layers_after_insert",
        "layers_after_delete",
        "layers_after_update",
    }


def test_the_insert_trigger_steps_aside_for_the_bulk_path():
    # layers.receivers.defer_counts sets this, then counts the bulk rows once itself.
    assert "current_setting('layers.defer_counts', true) = 'on'" in function_source(
        "layers_after_insert"
    )
