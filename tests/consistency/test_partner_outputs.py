"""One truth for the vote on the partners' projects: the public results page, the API, the
OGC API, the dashboard (page and CSVs), the diagnostic's report and the GeoPackage exports
give the counts the vote rows themselves give (tests/consistency/partner_truth.py), for a
vote with online, changed, paper and workshop votes, communes of residence (one group too
small to be shown) and a project withdrawn after the close."""

import pytest
from django.contrib.auth import get_user_model

from contributions.models import Channel, PartnerVote, Project
from staff.models import ProjectRole, Role
from tests.consistency.outputs import partner as partner_outputs
from tests.consistency.partner_seed import ENTERED_BY, MENTON, VENTIMIGLIA, seed_partner_vote
from tests.consistency.partner_truth import PartnerFigures, differences, suppressed, truth
from tests.consistency.registry import BY_PARTNER_OUTPUT, PARTNER_OUTPUTS
from tests.consistency.seed import ANALYST

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def voted(demo, django_db_blocker):
    """The demo with the seeded vote, committed (exports and the diagnostic read through
    connections of their own), and the truth computed from its rows."""
    with django_db_blocker.unblock():
        Project.objects.filter(pk=demo.pk).update(publishes_open_data=True)
        demo.refresh_from_db()
        analyst = get_user_model().objects.create_user(ANALYST, password=None)
        ProjectRole.objects.create(user=analyst, project=demo, role=Role.ANALYST)
        world = seed_partner_vote(demo)
        world.project.refresh_from_db()
        expected = truth(world.project)
    yield world, expected
    partner_outputs.forget()
    with django_db_blocker.unblock():
        PartnerVote.objects.filter(project=demo).delete()
        demo.partner_projects.all().delete()
        demo.partners.all().delete()
        get_user_model().objects.filter(username__in=[ANALYST, ENTERED_BY]).delete()


@pytest.mark.parametrize("output", PARTNER_OUTPUTS, ids=lambda output: output.name)
def test_every_partner_output_gives_the_same_counts(client, voted, output):
    world, expected = voted
    reading = output.reader(client, world.project)
    assert differences(reading, expected) == []
    # Each output carries the per-project counts or the turnout: never nothing.
    assert reading.projects is not None or reading.participants is not None


def test_the_seed_holds_what_the_comparisons_need(voted):
    world, expected = voted
    project = world.project
    assert project.partner_vote_state() == "closed"
    votes = PartnerVote.objects.filter(project=project)
    assert {Channel.ONLINE, Channel.PAPER, Channel.WORKSHOP} <= set(
        votes.values_list("channel", flat=True)
    )
    assert votes.filter(partner_project=world.withdrawn).exists()  # votes left out
    assert world.changed.value == -1 and world.changed.updated_at > world.changed.created_at
    assert expected.communes == {MENTON: 7}  # six residents and one paper ballot
    assert suppressed(project)[VENTIMIGLIA] == 3  # a group too small to be shown
    assert len(expected.projects) == 6 and all(v[0] for v in expected.projects.values())
    assert set(expected.themes) == set(project.themes.values_list("slug", flat=True))
    # The voter who only voted on the withdrawn project is no participant.
    assert (
        expected.participants
        == votes.exclude(partner_project=world.withdrawn).values("participant").distinct().count()
    )


@pytest.mark.parametrize("name", ["partner results page", "partner staff geopackage"])
def test_the_comparison_names_a_wrong_count(client, voted, monkeypatch, name):
    world, expected = voted
    output = BY_PARTNER_OUTPUT[name]
    reading = output.reader(client, world.project)
    first = next(iter(reading.projects))
    votes, up, down, rank = reading.projects[first]
    wrong = PartnerFigures({**reading.projects, first: (votes + 1, up + 1, down, rank)})
    assert differences(wrong, expected) and not differences(reading, expected)


IN_PROCESS = [
    "partner results page",
    "partner api list",
    "partner ogc items",
    "partner dashboard csv",
    "partner dashboard page",
]


@pytest.mark.parametrize("name", IN_PROCESS)
def test_in_rating_mode_the_outputs_give_the_same_means_and_ranks(client, voted, name):
    """The same vote counted as 1-5 ratings (rolled back after the test; the exports and the
    diagnostic, which read through connections of their own, are compared in for/against)."""
    world, _expected = voted
    project = world.project
    Project.objects.filter(pk=project.pk).update(partner_vote_mode="rating")
    votes = PartnerVote.objects.filter(project=project)
    votes.filter(value=-1).update(value=2)
    votes.filter(value=1, channel=Channel.ONLINE, participant__endswith="-3").update(value=3)
    votes.filter(value=1).update(value=5)
    project.refresh_from_db()
    expected = truth(project)
    assert expected.means and len(set(expected.means.values())) > 2
    reading = BY_PARTNER_OUTPUT[name].reader(client, project)
    assert differences(reading, expected) == []
