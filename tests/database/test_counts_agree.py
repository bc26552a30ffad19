"""The installed count triggers and the live generator (the bulk path) count the same, and
both equal a plain GROUP BY over the contributions, cell by cell and column by column."""

import pytest
from django.contrib.gis.geos import LineString
from django.db import connection

from contributions.models import PUBLIC_STATUSES, Contribution, Status
from contributions.synthetic import generate
from layers import grid
from layers.counts import delta_sql
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

COLUMNS = list(grid.COUNT_COLUMNS.values())
NICE, MENTON, SANREMO = (7.2620, 43.7030), (7.4975, 43.7760), (7.7760, 43.8170)


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stored_cells(project):
    """{(level, cx, cy, theme): (counts, sums, extent)} from layers_clustercell, leaving out
    the cells every row has left (the triggers keep them at zero)."""
    cells = {}
    columns = ", ".join(["level, cx, cy, theme_id, n", *COLUMNS, "sx, sy, minx, miny, maxx, maxy"])
    for row in fetch(
        f"SELECT {columns} FROM layers_clustercell WHERE project_id = %s",  # noqa: S608 - fixed names
        [project.pk],
    ):
        key, counts = row[:4], row[4 : 5 + len(COLUMNS)]
        if any(counts):
            cells[key] = (counts, row[-6:-4], row[-4:])
    return cells


def counted_rows(project):
    """The same cells, counted from scratch over contributions_contribution: the public rows,
    at the representative point of their public location, per stored level."""
    filters = ", ".join(
        "count(*) FILTER (WHERE kind = %s AND status = %s)" for _key in grid.COUNT_COLUMNS
    )
    params = [value for key in grid.COUNT_COLUMNS for value in key]
    cells = {}
    for level in grid.STORED_LEVELS:
        size = grid.cell_size(level)
        for row in fetch(
            f"""
            SELECT floor((ST_X(p) + %s) / %s)::int AS cx, floor((%s - ST_Y(p)) / %s)::int AS cy,
                   theme_id, count(*), {filters}, sum(ST_X(p)), sum(ST_Y(p))
            FROM (
                SELECT theme_id, kind, status, ST_Transform(
                    CASE WHEN GeometryType(public_geom) = 'POINT' THEN public_geom
                         ELSE ST_PointOnSurface(public_geom) END, 3857) AS p
                FROM contributions_contribution
                WHERE project_id = %s AND status = ANY(%s)
            ) c
            GROUP BY 1, 2, 3
            """,  # noqa: S608 - the filters are fixed text, values are parameters
            [grid.ORIGIN, size, grid.ORIGIN, size, *params, project.pk, PUBLIC_STATUSES],
        ):
            cells[(level, *row[:3])] = (row[3 : 4 + len(COLUMNS)], row[-2:])
    return cells


def assert_same_counts(stored, expected):
    assert stored.keys() == expected.keys()
    for key, (counts, sums, *_extent) in stored.items():
        assert counts == expected[key][0], f"cell {key}: counts differ"
        assert sums == pytest.approx(expected[key][1], rel=1e-9), f"cell {key}: sums differ"


def write_through_the_triggers(project):
    """Inserts, updates and deletes, one statement at a time and many rows at once."""
    themes = list(project.themes.all())
    made = [
        make_contribution(project, lonlat=NICE, kind="proposal", status=Status.PUBLISHED),
        make_contribution(project, lonlat=NICE, kind="report", status=Status.ACCEPTED),
        make_contribution(project, lonlat=MENTON, kind="observation", sentiment="positive"),
        make_contribution(project, lonlat=SANREMO, status=Status.SUBMITTED),
        make_contribution(project, lonlat=SANREMO, status=Status.HIDDEN, theme=themes[-1]),
    ]
    Contribution.objects.create(
        project=project,
        kind="proposal",
        theme=themes[0],
        title="A cycle lane",
        status=Status.PUBLISHED,
        geom=LineString(NICE, (7.2700, 43.7060), srid=4326),
    )
    ids = [item.pk for item in made]
    # One statement, several rows: statuses in and out of the public set, a kind, a theme.
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE contributions_contribution SET
                 status = CASE WHEN status = 'submitted' THEN 'published'
                               WHEN status = 'published' THEN 'hidden' ELSE status END,
                 kind = CASE WHEN kind = 'report' THEN 'proposal' ELSE kind END,
                 theme_id = CASE WHEN kind = 'observation' THEN %s ELSE theme_id END
               WHERE id = ANY(%s)""",
            [themes[-1].pk, ids],
        )
    # A move, a title alone (not counted), and the demo's own rows changing status.
    Contribution.objects.filter(pk=ids[1]).update(geom="SRID=4326;POINT(7.5 43.78)")
    Contribution.objects.filter(pk=ids[2]).update(title="Renamed")
    demo_rows = Contribution.objects.filter(project=project).exclude(pk__in=ids)
    Contribution.objects.filter(pk__in=list(demo_rows.values_list("pk", flat=True)[:40])).update(
        status=Status.DONE
    )
    Contribution.objects.filter(pk__in=[ids[0], ids[3]]).delete()
    Contribution.objects.filter(pk__in=list(demo_rows.values_list("pk", flat=True)[:25])).delete()


def test_the_triggers_keep_the_cells_equal_to_a_group_by(demo):
    write_through_the_triggers(demo)
    assert_same_counts(stored_cells(demo), counted_rows(demo))


def test_the_live_generator_counts_what_the_triggers_counted(demo):
    write_through_the_triggers(demo)
    by_triggers = stored_cells(demo)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM layers_clustercell WHERE project_id = %s", [demo.pk])
        cursor.execute(
            delta_sql("(SELECT * FROM contributions_contribution WHERE project_id = %s)", 1),
            [demo.pk],
        )
    by_generator = stored_cells(demo)
    assert_same_counts(by_triggers, {key: cell[:2] for key, cell in by_generator.items()})
    # Extents only grow under the triggers (a row leaving does not shrink them).
    for key, (_counts, _sums, (minx, miny, maxx, maxy)) in by_generator.items():
        kept = by_triggers[key][2]
        assert kept[0] <= minx and kept[1] <= miny and kept[2] >= maxx and kept[3] >= maxy


def test_a_bulk_insert_through_the_live_generator_keeps_the_cells_equal(demo):
    generate(project=demo, count=400, seed=11)
    assert_same_counts(stored_cells(demo), counted_rows(demo))
