"""generate_contributions: realistic rows, inside the perimeter, every guarantee kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from contributions.models import PUBLIC_STATUSES, Contribution, Kind, Status
from contributions.synthetic import generate, load_texts

pytestmark = pytest.mark.django_db


def test_generated_contributions_are_realistic_and_inside(demo):
    before = Contribution.objects.count()
    out = StringIO()
    call_command(
        "generate_contributions", "--project=piter-alpimed", "--count=2000", "--seed=3", stdout=out
    )
    assert "2000 contributions generated" in out.getvalue()
    new = Contribution.objects.filter(project=demo).order_by("-created_at")
    assert Contribution.objects.count() == before + 2000
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM contributions_contribution c WHERE c.project_id = %s"
            " AND NOT territories_covers(%s, c.geom, 0)",
            [demo.pk, demo.perimeter_id],
        )
        assert cursor.fetchone()[0] == 0
    assert not new.filter(commune__isnull=True).exists()
    assert set(new.values_list("kind", flat=True)) == set(Kind.values)
    assert new.values("theme").distinct().count() == 4
    assert set(new.values_list("status", flat=True)) <= set(Status.values) - {"hidden"}
    observations = new.filter(kind=Kind.OBSERVATION)
    assert set(observations.values_list("sentiment", flat=True)) == {"positive", "negative"}
    assert not new.exclude(kind=Kind.OBSERVATION).exclude(sentiment="").exists()
    # Clustered around towns: the most populated commune (Nice) gets the most.
    top = new.values("commune__code").order_by().annotate(n=Count("id"))
    assert max(top, key=lambda row: row["n"])["commune__code"] == "06088"
    # French texts in France, Italian in Italy; placeholders filled.
    assert new.filter(commune__country="IT").exists()
    assert not new.filter(title__contains="{commune}").exists()
    italian = tuple(
        entry["description"].split("{commune}")[0]
        for kinds in load_texts()["it"].values()
        for entries in kinds.values()
        for entry in entries
    )
    sanremo = new.filter(commune__code="008055").values_list("description", flat=True)
    assert sanremo and all(d.startswith(italian) for d in sanremo)
    answered = new.filter(status__in=["accepted", "planned", "done", "rejected"])
    assert answered.exists() and not answered.filter(answer="").exists()


def test_the_map_counts_skip_the_batches_and_catch_up_once(demo):
    """Layers defers its running counts through the bulk-insert signals, then adds the new
    rows in one pass: the counts end exact, neither missed nor counted twice."""

    def version():
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM layers_version WHERE project_id = %s", [demo.pk])
            return cursor.fetchone()[0]

    before = version()
    with CaptureQueriesContext(connection) as queries:
        generate(project=demo, count=1500, seed=4)
    sql = [query["sql"] for query in queries.captured_queries]

    def first(fragment):
        return next(i for i, text in enumerate(sql) if fragment in text)

    assert (
        first("SET LOCAL layers.defer_counts = on")
        < first("INSERT INTO contributions_contribution")
        < first("INSERT INTO layers_clustercell")
        < first("SET LOCAL layers.defer_counts = off")
    )
    assert sum("INSERT INTO layers_clustercell" in text for text in sql) == 1
    assert version() == before + 1
    public = Contribution.objects.filter(project=demo, status__in=PUBLIC_STATUSES).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, sum(n) FROM layers_clustercell WHERE project_id = %s GROUP BY level",
            [demo.pk],
        )
        levels = dict(cursor.fetchall())
    assert levels and set(levels.values()) == {public}


def test_unknown_project_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="No project with the slug 'nowhere'"):
        call_command("generate_contributions", "--project=nowhere", "--count=10")


def test_projects_follow_a_rebuilt_perimeter(demo):
    from territories.services import build_perimeter

    codes = list(demo.perimeter.members.values_list("code", flat=True))
    old = demo.perimeter
    _outcome, rebuilt = build_perimeter(
        slug="piter-alpimed", name="PITER ALPIMED", codes=codes[:-1]
    )
    demo.refresh_from_db()
    assert rebuilt.pk != old.pk and rebuilt.generation == old.generation + 1
    assert demo.perimeter_id == rebuilt.pk
