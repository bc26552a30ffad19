"""The schema choices that keep sharding contributions by project (Citus) possible.

Citus distributes a table by one column and co-locates tables distributed by the same
column; joins and foreign keys between distributed tables must include it. Here that column
is the project: see docs/scaling.md, "Past one primary".
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# Tables that reference a contribution but carry no project_id of their own: before
# distributing with Citus each gains project_id (filled from its contribution) and keys that
# include it. Listed so that a new table cannot join the set unnoticed.
WITHOUT_PROJECT_ID = {
    "contributions_abusereport",
    "contributions_comment",
    "contributions_follow",
    "contributions_photo",
    "contributions_placeevent",
    "contributions_result_contributions",
    "contributions_statuschange",
    "contributions_vote",
    "privacy_participantprofile",
}
# The per-project tables of the map's hot paths: each is keyed or filtered by project.
HOT_TABLES = ("contributions_contribution", "layers_clustercell", "layers_version")


def referencing(table):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid
                           AND a.attname = 'project_id' AND NOT a.attisdropped)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND c.conrelid <> c.confrelid
            """,
            [table],
        )
        return dict(cursor.fetchall())


def test_tables_referencing_contributions_carry_the_project_or_are_listed():
    tables = referencing("contributions_contribution")
    without = {name for name, has_project in tables.items() if not has_project}
    assert without == WITHOUT_PROJECT_ID, (
        "a table referencing contributions without project_id: add the column (Citus "
        "co-location) or list it in WITHOUT_PROJECT_ID and docs/scaling.md"
    )


def test_per_project_tables_carry_the_project():
    with connection.cursor() as cursor:
        for table in HOT_TABLES:
            cursor.execute(
                "SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass"
                " AND attname = 'project_id' AND NOT attisdropped",
                [table],
            )
            assert cursor.fetchone(), table
        # The running counts are keyed by project first: one shard holds a project's cells.
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid ="
            " 'layers_clustercell'::regclass AND (i.indisprimary OR i.indisunique)"
        )
        keys = [row[0] for row in cursor.fetchall()]
    assert any("(project_id," in key for key in keys), keys


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/piter-alpimed/contributions/?limit=50",
        "/api/projects/piter-alpimed/contributions/?bbox=7.2,43.6,7.4,43.8&kind=report",
        "/api/projects/piter-alpimed/clusters/?bbox=7.20,43.66,7.34,43.76&zoom=12",
        "/api/projects/piter-alpimed/clusters/?bbox=7.20,43.66,7.34,43.76&zoom=16",
        "/tiles/piter-alpimed/9/265/186.pbf",
        "/tiles/piter-alpimed/15/17045/11952.pbf",
    ],
)
def test_hot_path_sql_is_confined_to_one_project(client, demo, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code in (200, 204), response.content[:300]
    hot = [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in HOT_TABLES)]
    assert hot, "the request read no contribution data"
    for sql in hot:
        # Every statement over per-project data names the project: a router sends it to one
        # shard instead of fanning out over all of them.
        assert '"project_id" =' in sql or "project_id = " in sql, sql[:500]
