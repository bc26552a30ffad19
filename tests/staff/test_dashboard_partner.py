"""The dashboard's section on the vote on the partners' projects: turnout, ranking, by theme
and by commune of residence (groups of five or more), on the page and as CSV, each figure
the one partner_figures gives (tests/consistency/test_partner_outputs.py compares them with
the vote rows)."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from contributions.models import PartnerVote, Project
from staff.models import Role
from tests.consistency.partner_seed import ENTERED_BY, MENTON, VENTIMIGLIA, seed_partner_vote
from tests.consistency.partner_truth import suppressed, truth
from tests.staff.conftest import give_role, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def voted(demo, django_db_blocker):
    with django_db_blocker.unblock():
        world = seed_partner_vote(demo)
        world.project.refresh_from_db()
    yield world
    with django_db_blocker.unblock():
        PartnerVote.objects.filter(project=demo).delete()
        demo.partner_projects.all().delete()
        demo.partners.all().delete()
        get_user_model().objects.filter(username=ENTERED_BY).delete()


@pytest.fixture
def analyst_client(client, demo):
    client.force_login(give_role(make_user("partner-analyst"), demo, Role.ANALYST))
    return client


def _csv(client, project, name, **query):
    response = client.get(f"/fr/staff/{project.slug}/dashboard/{name}.csv", query)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if query else ","))


def test_no_section_without_partner_projects(analyst_client, demo):
    html = analyst_client.get(f"/fr/staff/{demo.slug}/dashboard/").content.decode()
    assert 'id="partner-title"' not in html


def test_the_section_shows_turnout_ranking_themes_and_communes(analyst_client, voted):
    project, expected = voted.project, truth(voted.project)
    html = analyst_client.get(f"/fr/staff/{project.slug}/dashboard/").content.decode()
    assert 'id="partner-title"' in html and 'data-partner-state="closed"' in html
    found = re.search(r'data-figure="partner_participants">([^<]+)<', html)[1]
    assert int(found) == expected.participants
    votes = re.search(r'data-figure="partner_votes">([^<]+)<', html)[1]
    assert int(votes) == sum(v[0] for v in expected.projects.values())
    for name in ("partner_ranking", "partner_themes", "partner_communes"):
        assert f'data-table-name="{name}"' in html
        assert f"/dashboard/{name}.csv" in html
    # The page shows titles, never the ids the CSV carries for scripts.
    section = html[html.index('data-table-name="partner_ranking"') :]
    section = section[: section.index("</table>")]
    assert str(voted.items[0].pk) not in section and "Abri de bus" in section
    communes = html[html.index('data-table-name="partner_communes"') :]
    assert "Menton" in communes[: communes.index("</section>")]
    assert "Ventimiglia" not in communes[: communes.index("</section>")]


def test_the_csvs_hold_the_figures_and_the_suppression(analyst_client, voted):
    project, expected = voted.project, truth(voted.project)
    ranking = _csv(analyst_client, project, "partner_ranking")
    header = ranking[0]
    assert header[:7] == ["rank", "id", "title", "theme", "votes", "votes_for", "votes_against"]
    read = {row[1]: (int(row[4]), int(row[5]), int(row[6]), int(row[0])) for row in ranking[1:]}
    assert read == expected.projects
    assert [int(row[0]) for row in ranking[1:]] == sorted(int(row[0]) for row in ranking[1:])
    communes = _csv(analyst_client, project, "partner_communes")
    assert [row[0] for row in communes[1:]] == [MENTON]
    assert VENTIMIGLIA in suppressed(project)
    turnout = dict(_csv(analyst_client, project, "partner_turnout")[1:])
    assert turnout["vote_state"] == "closed" and int(turnout["participants"]) == (
        expected.participants
    )
    # The spreadsheet variant: semicolons and headings in the reader's language.
    semicolon = _csv(analyst_client, project, "partner_themes", sep="semicolon")
    assert len(semicolon) == 1 + project.themes.count()


def test_rating_mode_shows_the_mean_rating(analyst_client, voted):
    project = voted.project
    Project.objects.filter(pk=project.pk).update(partner_vote_mode="rating")
    PartnerVote.objects.filter(project=project, value=-1).update(value=2)
    PartnerVote.objects.filter(project=project, value=1).update(value=5)
    ranking = _csv(analyst_client, project, "partner_ranking")
    assert "mean_rating" in ranking[0] and "votes_for" not in ranking[0]
    means = [float(row[ranking[0].index("mean_rating")]) for row in ranking[1:]]
    assert means == sorted(means, reverse=True) and all(2 <= m <= 5 for m in means)


def test_an_open_vote_says_the_ranking_is_not_public_yet(analyst_client, voted):
    project = voted.project
    Project.objects.filter(pk=project.pk).update(
        partner_vote_closes_at=timezone.now() + timedelta(days=2), partner_ranking_live=False
    )
    html = analyst_client.get(f"/fr/staff/{project.slug}/dashboard/").content.decode()
    assert 'data-partner-state="open"' in html
    turnout = dict(_csv(analyst_client, project, "partner_turnout")[1:])
    assert turnout["ranking_public"] == "False"


def test_someone_without_a_role_gets_no_dashboard_csv(client, voted):
    client.force_login(make_user("partner-nobody"))
    response = client.get(f"/fr/staff/{voted.project.slug}/dashboard/partner_ranking.csv")
    assert response.status_code in (302, 403, 404)  # a project one has no role in is not shown


def test_a_title_that_reads_as_a_formula_is_written_as_text(analyst_client, voted):
    item = voted.items[0]
    type(item).objects.filter(pk=item.pk).update(title={"fr": '=HYPERLINK("http://x")'})
    ranking = _csv(analyst_client, voted.project, "partner_ranking")
    titles = [row[2] for row in ranking[1:]]
    assert '\'=HYPERLINK("http://x")' in titles
    html = analyst_client.get(f"/fr/staff/{voted.project.slug}/dashboard/").content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;)" in html
