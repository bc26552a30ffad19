"""The dashboard's figures against counts computed directly in SQL on generated data."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from contributions.models import Comment, Contribution, Status, Vote
from staff.models import DailyVisit, VisitSalt
from staff.selectors import dashboard
from staff.visits import record_visit

pytestmark = pytest.mark.django_db


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


@pytest.fixture
def varied(demo):
    """The 300 generated contributions, with a few hidden, votes and comments added."""
    ids = list(
        Contribution.objects.filter(project=demo).order_by("pk").values_list("pk", flat=True)
    )
    Contribution.objects.filter(pk__in=ids[:7]).update(status=Status.HIDDEN)
    for n, pk in enumerate(ids[5:25]):
        Vote.objects.create(contribution_id=pk, participant=f"anon:{n % 6}")
    for n, pk in enumerate(ids[:12]):
        Comment.objects.create(
            contribution_id=pk, body="Yes", status="published" if n % 3 else "hidden"
        )
    return demo


def test_summary_matches_sql(varied):
    figures = dashboard.summary(varied)
    p = varied.pk
    [(total, answered, median)] = sql(
        """SELECT count(*),
                  count(*) FILTER (WHERE answered_at IS NOT NULL
                                   OR status IN ('accepted', 'planned', 'done', 'rejected')),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
                      answered_at - created_at) / 86400)
                      FILTER (WHERE answered_at IS NOT NULL)
           FROM contributions_contribution WHERE project_id = %s AND status <> 'hidden'""",
        [p],
    )
    assert figures["contributions"] == total == 300 - 7
    assert figures["hidden"] == 7
    assert figures["answered"] == answered > 0
    assert figures["answer_rate_percent"] == round(100 * answered / total, 1)
    assert figures["median_days_to_answer"] == round(median, 1)
    assert figures["target_progress_percent"] == round(100 * total / varied.target_contributions, 1)
    [(votes,)] = sql(
        """SELECT count(*) FROM contributions_vote v JOIN contributions_contribution c
           ON c.id = v.contribution_id WHERE c.project_id = %s AND c.status <> 'hidden'""",
        [p],
    )
    assert figures["votes"] == votes > 0
    [(comments,)] = sql(
        """SELECT count(*) FROM contributions_comment m JOIN contributions_contribution c
           ON c.id = m.contribution_id
           WHERE c.project_id = %s AND c.status <> 'hidden' AND m.status = 'published'""",
        [p],
    )
    assert figures["comments"] == comments == 4  # published, on contributions not hidden
    # Participants, counted here apart: the generated contributions are anonymous without
    # email (one each), then every distinct voter, then each published comment's writer.
    [(people,)] = sql(
        """SELECT count(DISTINCT who) FROM (
               SELECT 'contribution:' || id AS who FROM contributions_contribution
               WHERE project_id = %(p)s AND status <> 'hidden'
               UNION ALL
               SELECT v.participant FROM contributions_vote v
               JOIN contributions_contribution c ON c.id = v.contribution_id
               WHERE c.project_id = %(p)s AND c.status <> 'hidden'
           ) people""",
        {"p": p},
    )
    assert figures["participants"] == people + comments


@pytest.mark.parametrize(
    ("table", "column"),
    [("kinds", "kind"), ("statuses", "status"), ("channels", "channel")],
)
def test_breakdowns_match_sql(varied, table, column):
    expected = dict(
        sql(
            f"SELECT {column}, count(*) FROM contributions_contribution "  # noqa: S608
            "WHERE project_id = %s AND status <> 'hidden' GROUP BY 1",
            [varied.pk],
        )
    )
    rows = dashboard.TABLES[table](varied).rows
    assert {row[0]: row[2] for row in rows if row[2]} == expected


def test_themes_communes_and_weeks_match_sql(varied):
    p = varied.pk
    themes = dict(
        sql(
            """SELECT th.slug, count(*) FROM contributions_contribution c
               JOIN contributions_theme th ON th.id = c.theme_id
               WHERE c.project_id = %s AND c.status <> 'hidden' GROUP BY 1""",
            [p],
        )
    )
    assert {r[0]: r[2] for r in dashboard.by_theme(varied).rows if r[2]} == themes
    communes = dict(
        sql(
            """SELECT coalesce(t.code, ''), count(*) FROM contributions_contribution c
               LEFT JOIN territories_territory t ON t.id = c.commune_id
               WHERE c.project_id = %s AND c.status <> 'hidden' GROUP BY 1""",
            [p],
        )
    )
    rows = dashboard.by_commune(varied).rows
    assert {r[0]: r[3] for r in rows if r[3]} == communes
    # Every commune of the perimeter is listed, those without a contribution too.
    members = varied.perimeter.members.filter(valid_until__isnull=True)
    assert set(members.values_list("code", flat=True)) <= {r[0] for r in rows}
    weeks = dashboard.over_time(varied).rows
    assert sum(row[1] for row in weeks) == weeks[-1][2] == 300 - 7


def test_visits_are_counted_once_per_visitor_and_day_without_storing_the_ip(varied):
    factory = RequestFactory()
    alice = factory.get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")
    bob = factory.get("/", REMOTE_ADDR="198.51.100.2", HTTP_USER_AGENT="Chrome")
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    record_visit(alice, varied, now=yesterday)
    for request in (alice, alice, bob):
        record_visit(request, varied, now=now)
    # Yesterday's salt is gone as soon as today's exists.
    assert list(VisitSalt.objects.values_list("day", flat=True)) == [timezone.localdate(now)]
    assert DailyVisit.objects.filter(project=varied).count() == 3
    hashes = list(DailyVisit.objects.values_list("visitor_hash", flat=True))
    assert len(set(hashes)) == 3  # alice yesterday and today cannot be linked
    assert not any("203.0.113.7" in h or "198.51.100.2" in h for h in hashes)
    figures = dashboard.summary(varied)
    assert figures["visits"] == 3
    # No visit led anywhere yet: a conversion is a share of visits, not of contributions.
    assert figures["visit_to_contribution_percent"] == figures["visit_to_sign_up_percent"] == 0
    rows = dashboard.by_day(varied).rows
    assert [row[1] for row in rows if row[1]] == [1, 2]


def test_every_figure_downloads_as_csv(client, varied, analyst):
    client.force_login(analyst)
    for name in dashboard.TABLES:
        response = client.get(f"/fr/staff/{varied.slug}/dashboard/{name}.csv")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == dashboard.TABLES[name](varied).columns
    summary = dict(
        csv.reader(
            io.StringIO(
                client.get(f"/fr/staff/{varied.slug}/dashboard/summary.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert summary["contributions"] == str(300 - 7)
    assert client.get(f"/fr/staff/{varied.slug}/dashboard/nothing.csv").status_code == 404


def test_answered_is_the_diagnostics_answered(varied):
    """One definition: a decision without a written answer, and a written answer, both count,
    on the dashboard as in the diagnostic."""
    from contributions.filters import ContributionFilters
    from layers.diagnostic import queries

    public = Contribution.objects.public().filter(project=varied, answered_at__isnull=True)
    decided, written = public.filter(status=Status.PUBLISHED).order_by("pk")[:2]
    Contribution.objects.filter(pk=decided.pk).update(status=Status.ACCEPTED)
    Contribution.objects.filter(pk=written.pk).update(answer="Merci", answered_at=timezone.now())
    figures = dashboard.summary(varied)
    per_commune = queries.per_commune(queries.Scope(varied, ContributionFilters()))
    in_diagnostic = sum(entry["answered"] for entry in per_commune.values())
    assert figures["answered"] == in_diagnostic
    assert (
        figures["answered"]
        == sql(
            """SELECT count(*) FROM contributions_contribution
           WHERE project_id = %s AND status <> 'hidden'
             AND (answered_at IS NOT NULL
                  OR status IN ('accepted', 'planned', 'done', 'rejected'))""",
            [varied.pk],
        )[0][0]
    )
