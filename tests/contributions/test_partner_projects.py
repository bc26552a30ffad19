"""Projects the partners put to the vote: writing them (texts per language, place inside the
perimeter, links, photos without metadata), the vote period and its refusals, one vote per
participant changed rather than doubled (also under concurrency), paper ballots of their
own, the figures (ranking, by theme, by commune with groups under 5 suppressed) and the
coverage of communes, valleys and themes that the warning before opening reads."""

import datetime
import threading

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import connection
from django.utils import timezone, translation

from contributions import partner_coverage, partner_figures
from contributions.models import (
    BALLOT_PREFIX,
    Channel,
    Outcome,
    PartnerProject,
    PartnerVote,
    PartnerVoteMode,
    PartnerVoteState,
    Project,
    Result,
)
from contributions.services import partner_projects as services
from core.errors import DomainError
from territories.models import Territory
from tests import factories

pytestmark = pytest.mark.django_db

NICE = (7.2620, 43.7030)
MENTON = (7.4975, 43.7760)
SANREMO = (7.7760, 43.8170)
HOUR = datetime.timedelta(hours=1)


def make(project, *, theme=None, lonlat=NICE, published=True, **fields):
    fields.setdefault("title", {"fr": "Une navette", "it": "Una navetta"})
    item = services.save_partner_project(
        project=project,
        theme=theme or project.themes.first(),
        location=fields.pop("location", Point(*lonlat, srid=4326)),
        **fields,
    )
    if published:
        services.publish_partner_project(partner_project=item)
    return item


def open_vote(project, *, mode=PartnerVoteMode.FOR_AGAINST, live=False):
    now = timezone.now()
    return services.open_partner_vote(
        project=project,
        opens_at=now - HOUR,
        closes_at=now + 24 * HOUR,
        mode=mode,
        ranking_live=live,
        confirm_gaps=True,
    )


def voter(n):
    return f"user:{9_000 + n}"


def test_a_project_is_saved_with_its_texts_place_links_and_a_photo_without_metadata(demo):
    item = make(
        demo,
        published=False,
        description={"fr": "Desc", "it": "Descr"},
        timeline={"fr": "2027-2029", "it": "2027-2029"},
        cost_band="100k_500k",
        links=[{"url": "https://example.org/etude.pdf", "label": "Étude"}],
        location=LineString((7.26, 43.70), (7.27, 43.705), srid=4326),
    )
    assert item.title == {"fr": "Une navette", "it": "Una navetta"}
    assert item.location.geom_type == "LineString" and not item.published
    photo = services.add_partner_photo(
        partner_project=item,
        upload=factories.upload(),
        credit="Commune de Nice",
        alt={"fr": "Un arrêt", "it": "Una fermata"},
    )
    assert photo.image.name.startswith(f"partner_projects/{item.pk}/")
    assert photo.thumbnail.name.endswith("-thumbnail.jpg")
    assert photo.alt == {"fr": "Un arrêt", "it": "Una fermata"} and photo.project == demo
    assert b"Exif" not in photo.image.read()[:4096]
    assert PartnerProject.objects.of_project(demo).published().count() == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": {"it": "Solo italiano"}}, "title_required"),
        ({"title": {"fr": "x", "de": "y"}}, "unknown_language"),
        ({"title": {"fr": "a\x00b"}}, "invalid"),
        ({"title": {"fr": "x" * 500}}, "too_long"),
        ({"location": Point(2.35, 48.85, srid=4326)}, "outside_perimeter"),
        (
            {
                "location": Polygon(
                    ((7.26, 43.70), (7.27, 43.71), (7.27, 43.70), (7.26, 43.71), (7.26, 43.70)),
                    srid=4326,
                )
            },
            "invalid_geometry",
        ),
        ({"links": [{"url": "javascript:alert(1)", "label": "x"}]}, "invalid_link"),
        ({"links": "https://example.org"}, "invalid_link"),
        ({"cost_band": "billions"}, "invalid_cost_band"),
        ({"theme": 999_999}, "unknown_theme"),
        ({"theme": "not a number"}, "unknown_theme"),
        ({"partner": "x"}, "unknown_partner"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(demo, fields, code):
    with pytest.raises(DomainError) as refused:
        make(demo, **fields)
    assert refused.value.code == code and refused.value.status in (404, 409, 422)
    assert str(refused.value.message)
    assert not PartnerProject.objects.exists()


def test_the_vote_state_follows_the_period(demo):
    now = timezone.now()
    project = Project(partner_vote_opens_at=None, partner_vote_closes_at=None)
    assert project.partner_vote_state() == PartnerVoteState.NOT_SET
    project.partner_vote_opens_at, project.partner_vote_closes_at = now + HOUR, now + 2 * HOUR
    assert project.partner_vote_state() == PartnerVoteState.UPCOMING
    assert project.partner_vote_is_open(now + 90 * datetime.timedelta(minutes=1))
    assert project.partner_vote_state(now + 2 * HOUR) == PartnerVoteState.CLOSED


def test_a_vote_outside_the_period_is_refused_with_a_clear_sentence(demo):
    item = make(demo)
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(partner_project=item, participant=voter(1), value=1)
    assert refused.value.code == "vote_not_open" and refused.value.status == 409
    now = timezone.now()
    services.open_partner_vote(
        project=demo, opens_at=now + HOUR, closes_at=now + 2 * HOUR, confirm_gaps=True
    )
    item.project.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(partner_project=item, participant=voter(1), value=1)
    assert refused.value.code == "vote_not_open"
    with pytest.raises(DomainError) as refused, translation.override("en"):
        services.cast_partner_vote(
            partner_project=item, participant=voter(1), value=1, moment=now + 3 * HOUR
        )
    assert refused.value.code == "vote_closed" and "closed" in refused.value.message
    assert not PartnerVote.objects.exists()


def test_values_outside_the_mode_are_refused(demo):
    item = make(demo)
    open_vote(demo)
    item.project.refresh_from_db()
    for value in (0, 2, 5, True, "1.0", None, 1.5, "--1"):
        with pytest.raises(DomainError) as refused:
            services.cast_partner_vote(partner_project=item, participant=voter(1), value=value)
        assert refused.value.code == "invalid_vote_value"
    services.cast_partner_vote(partner_project=item, participant=voter(1), value="-1")
    assert PartnerVote.objects.get().value == -1


def test_rating_mode_takes_one_to_five(demo):
    item = make(demo)
    open_vote(demo, mode=PartnerVoteMode.RATING)
    item.project.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(partner_project=item, participant=voter(1), value=-1)
    assert refused.value.code == "invalid_vote_value"
    services.cast_partner_vote(partner_project=item, participant=voter(1), value=4)
    assert PartnerVote.objects.get().value == 4


def test_a_vote_needs_an_account_or_a_confirmed_address(demo):
    item = make(demo)
    open_vote(demo)
    item.project.refresh_from_db()
    for participant in (None, "", "anon:abc", "email:abc", "ballot:x"):
        with pytest.raises(DomainError) as refused:
            services.cast_partner_vote(partner_project=item, participant=participant, value=1)
        assert refused.value.code == "sign_in_to_vote"
    unpublished = make(demo, published=False)
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(partner_project=unpublished, participant=voter(1), value=1)
    assert refused.value.code == "not_found"


def test_a_second_vote_changes_the_first(demo):
    item = make(demo)
    open_vote(demo)
    item.project.refresh_from_db()
    nice = Territory.objects.get(kind="commune", name__icontains="Nice")
    vote, created = services.cast_partner_vote(
        partner_project=item, participant=voter(1), value=1, comment=" Oui ", commune=nice.pk
    )
    assert created and vote.comment == "Oui" and vote.commune == nice
    vote, created = services.cast_partner_vote(
        partner_project=item, participant=voter(1), value=-1, comment=""
    )
    assert not created and vote.value == -1 and vote.commune == nice
    assert PartnerVote.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(
            partner_project=item, participant=voter(1), value=1, commune=999_999
        )
    assert refused.value.code == "invalid_commune"
    with pytest.raises(DomainError) as refused:
        services.cast_partner_vote(
            partner_project=item, participant=voter(1), value=1, comment="x" * 4000
        )
    assert refused.value.code == "too_long"
    assert services.withdraw_partner_vote(partner_project=item, participant=voter(1))
    assert not PartnerVote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_votes_at_once_leave_one_row(demo):
    item = make(demo)
    open_vote(demo)
    barrier, errors = threading.Barrier(2), []

    def cast(value):
        try:
            barrier.wait(5)
            services.cast_partner_vote(
                partner_project=PartnerProject.objects.get(pk=item.pk),
                participant=voter(7),
                value=value,
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(value,)) for value in (1, -1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert PartnerVote.objects.filter(partner_project=item).count() == 1
    PartnerProject.objects.all().delete()


def test_paper_ballots_get_a_participant_each_and_are_all_or_nothing(demo):
    first, second = make(demo), make(demo, lonlat=MENTON)
    open_vote(demo)
    demo.refresh_from_db()
    staff = factories.make_user(staff=True)
    menton = Territory.objects.get(kind="commune", name__icontains="Menton")
    keys = services.record_paper_votes(
        project=demo,
        channel=Channel.PAPER,
        entered_by=staff,
        ballots=[
            {"votes": {str(first.pk): 1, str(second.pk): -1}, "commune": menton.pk},
            {"votes": {str(first.pk): 1}},
        ],
    )
    assert len(set(keys)) == 2 and all(key.startswith(BALLOT_PREFIX) for key in keys)
    votes = PartnerVote.objects.all()
    assert votes.count() == 3
    assert {v.channel for v in votes} == {"paper"} and {v.entered_by for v in votes} == {staff}
    for ballots, code in (
        ([{"votes": {str(first.pk): 1}}, {"votes": {"nope": 1}}], "unknown_partner_project"),
        ([{"votes": {}}], "empty_ballot"),
        ([{"votes": {str(first.pk): 7}}], "invalid_vote_value"),
        ([], "invalid_ballots"),
    ):
        with pytest.raises(DomainError) as refused:
            services.record_paper_votes(
                project=demo, channel=Channel.WORKSHOP, entered_by=staff, ballots=ballots
            )
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        services.record_paper_votes(
            project=demo, channel=Channel.ONLINE, entered_by=staff, ballots=[]
        )
    assert refused.value.code == "invalid_channel"
    assert PartnerVote.objects.count() == 3


def test_opening_warns_of_gaps_and_needs_a_confirmation(demo):
    now = timezone.now()
    period = {"opens_at": now - HOUR, "closes_at": now + HOUR}
    with pytest.raises(DomainError) as refused:
        services.open_partner_vote(project=demo, **period)
    assert refused.value.code == "no_partner_projects"
    make(demo)
    with pytest.raises(DomainError) as refused:
        services.open_partner_vote(project=demo, **period)
    assert refused.value.code == "coverage_gaps"
    assert len(refused.value.extra["uncovered_themes"]) == 3
    demo.refresh_from_db()
    assert demo.partner_vote_state() == PartnerVoteState.NOT_SET
    with pytest.raises(DomainError) as refused:
        services.open_partner_vote(project=demo, opens_at=now, closes_at=now, confirm_gaps=True)
    assert refused.value.code == "invalid_period"
    services.open_partner_vote(project=demo, **period, confirm_gaps=True)
    demo.refresh_from_db()
    assert demo.partner_vote_is_open()
    services.close_partner_vote(project=demo)
    demo.refresh_from_db()
    assert demo.partner_vote_state() == PartnerVoteState.CLOSED


def test_the_mode_is_locked_once_votes_exist(demo):
    item = make(demo)
    open_vote(demo)
    item.project.refresh_from_db()
    services.cast_partner_vote(partner_project=item, participant=voter(1), value=1)
    with pytest.raises(DomainError) as refused:
        open_vote(demo, mode=PartnerVoteMode.RATING)
    assert refused.value.code == "mode_locked"


def test_coverage_of_communes_valleys_and_themes(demo):
    themes = list(demo.themes.all())
    nice = make(demo, theme=themes[0])
    coverage = partner_coverage.coverage(demo)
    assert coverage.projects == 1 and coverage.has_gaps
    covered = [row for row in coverage.communes if row.covered]
    assert [row.name for row in covered] == ["Nice"] and covered[0].projects == [str(nice.pk)]
    assert [row.covered for row in coverage.themes] == [True, False, False, False]
    valley = next(row for row in coverage.valleys if row.id == covered[0].parent_id)
    assert valley.covered and valley.covered_communes == 1 and valley.communes > 1
    make(demo, theme=themes[1], published=False, lonlat=SANREMO)
    assert partner_coverage.coverage(demo).projects == 1
    # One project per theme over the whole perimeter covers everything.
    for theme in themes:
        PartnerProject.objects.create(
            project=demo, theme=theme, title={"fr": "x"}, location=demo.perimeter.geom,
            published=True,
        )  # fmt: skip
    coverage = partner_coverage.coverage(demo)
    assert not coverage.has_gaps and not coverage.uncovered_valleys
    assert len(coverage.communes) > 80


def test_figures_rank_count_and_suppress_small_groups(demo):
    themes = list(demo.themes.all())
    first, second, third = (
        make(demo, theme=themes[0]),
        make(demo, theme=themes[1], lonlat=MENTON),
        make(demo, theme=themes[1], lonlat=SANREMO),
    )
    open_vote(demo)
    demo.refresh_from_db()
    nice = Territory.objects.get(kind="commune", name="Nice")
    menton = Territory.objects.get(kind="commune", name__icontains="Menton")
    for n in range(6):  # six voters of Nice: for the first, against the second
        services.cast_partner_vote(
            partner_project=first, participant=voter(n), value=1, commune=nice
        )
        services.cast_partner_vote(partner_project=second, participant=voter(n), value=-1)
    for n in range(6, 8):  # two of Menton: a group under 5
        services.cast_partner_vote(
            partner_project=second, participant=voter(n), value=1, commune=menton
        )
    staff = factories.make_user(staff=True)
    services.record_paper_votes(
        project=demo, channel=Channel.PAPER, entered_by=staff,
        ballots=[{"votes": {str(first.pk): -1}}],
    )  # fmt: skip
    results = {row.id: row for row in partner_figures.partner_vote_results(demo)}
    one, two, three = results[str(first.pk)], results[str(second.pk)], results[str(third.pk)]
    assert (one.votes, one.votes_for, one.votes_against, one.score, one.rank) == (7, 6, 1, 5, 1)
    assert (two.votes, two.votes_for, two.votes_against, two.score, two.rank) == (8, 2, 6, -4, 2)
    assert (three.votes, three.rank, three.score) == (0, 3, None)
    assert partner_figures.partner_participants(demo) == 9
    assert one.turnout_percent == round(7 * 100 / 9, 1)
    turnout = partner_figures.partner_turnout(demo)
    assert turnout["participants"] == 9 and turnout["population"] > 0
    by_theme = {row["theme_id"]: row for row in partner_figures.partner_votes_by_theme(demo)}
    assert by_theme[themes[1].pk]["votes"] == 8 and by_theme[themes[1].pk]["projects"] == 2
    assert by_theme[themes[1].pk]["participants"] == 8 and by_theme[themes[2].pk]["votes"] == 0
    by_commune = partner_figures.partner_votes_by_commune(demo)
    assert [row["name"] for row in by_commune["communes"]] == ["Nice"]
    row = by_commune["communes"][0]
    assert row["participants"] == 6 and row["votes"] == 6
    assert row["per_1000"] == round(6 * 1000 / nice.population, 2)
    assert by_commune["suppressed_communes"] == 1 and by_commune["suppressed_participants"] == 2
    assert by_commune["not_given"] == 7  # six Nice voters' second vote and the paper ballot
    assert partner_figures.MIN_GROUP == 5
    # Withdrawn from publication, a project leaves every figure.
    PartnerProject.objects.filter(pk=first.pk).update(published=False)
    assert str(first.pk) not in {row.id for row in partner_figures.partner_vote_results(demo)}
    assert partner_figures.partner_participants(demo) == 8


def test_ranking_is_public_when_closed_or_live(demo):
    make(demo)
    open_vote(demo)
    demo.refresh_from_db()
    assert not partner_figures.ranking_is_public(demo)
    open_vote(demo, live=True)
    demo.refresh_from_db()
    assert partner_figures.ranking_is_public(demo)
    assert partner_figures.ranking_is_public(demo, timezone.now() + 48 * HOUR)


def test_rating_figures(demo):
    item = make(demo)
    open_vote(demo, mode=PartnerVoteMode.RATING)
    demo.refresh_from_db()
    for n, value in enumerate((5, 4, 4)):
        services.cast_partner_vote(partner_project=item, participant=voter(n), value=value)
    (row,) = partner_figures.partner_vote_results(demo)
    assert (row.votes, row.mean_rating, row.score, row.votes_for, row.rank) == (3, 4.33, 4.33, 0, 1)


def test_an_outcome_needs_an_answer_and_links_a_result_of_the_project(demo):
    item = make(demo)
    result = Result.objects.create(project=demo, title={"fr": "Fait"})
    with pytest.raises(DomainError) as refused:
        services.set_outcome(partner_project=item, outcome=Outcome.KEPT, answer={"it": "Sì"})
    assert refused.value.code == "answer_required"
    with pytest.raises(DomainError) as refused:
        services.set_outcome(partner_project=item, outcome="maybe", answer={})
    assert refused.value.code == "invalid_outcome"
    with pytest.raises(DomainError) as refused:
        services.set_outcome(
            partner_project=item, outcome=Outcome.KEPT, answer={"fr": "Oui"}, result="nope"
        )
    assert refused.value.code == "unknown_result"
    services.set_outcome(
        partner_project=item,
        outcome=Outcome.CHANGED,
        answer={"fr": "Modifié", "it": "Modificato"},
        result=result.pk,
    )
    item.refresh_from_db()
    assert item.outcome == "changed" and item.result == result
    assert item.outcome_answer == {"fr": "Modifié", "it": "Modificato"}
