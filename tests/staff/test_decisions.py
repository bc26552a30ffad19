"""Meetings and their decisions: each becomes the proposal's public status and answer in the
project's languages, is emailed to its followers once, and is kept with the meeting's date."""

import datetime

import pytest
from django.core import mail

from contributions.models import Status
from core.errors import DomainError
from staff.models import Action, AuditEntry, Decision, Meeting, Outcome, Role
from staff.services.decisions import (
    STATUS_OF_OUTCOME,
    create_meeting,
    default_answers,
    record_decision,
)
from tests.factories import give_role, make_contribution, make_follow, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2019, 5, 6, 10, tzinfo=datetime.UTC)


@pytest.fixture
def manager(demo):
    return give_role(make_user(), demo, Role.MANAGER)


@pytest.fixture
def meeting(demo, manager):
    return create_meeting(
        actor=manager,
        project=demo,
        date=datetime.date(2019, 6, 3),
        period_start=datetime.date(2019, 5, 1),
        period_end=datetime.date(2019, 5, 31),
        title="Comité de juin",
    )


@pytest.fixture
def proposals(demo):
    made = []
    for n, title in enumerate(("Piste cyclable", "Maison de santé", "Navette", "Fontaine")):
        proposal = make_contribution(demo, kind="proposal", title=title, created_at=DAY)
        make_follow(proposal, email=f"follower-{n}@example.org", language="it")
        make_follow(proposal, email=f"voisin-{n}@example.org", language="fr")
        made.append(proposal)
    return made


ANSWERS = {
    Outcome.KEPT: {"fr": "Retenue par le comité.", "it": "Accolta dal comitato."},
    Outcome.TO_STUDY: {"fr": "À étudier davantage.", "it": "Da approfondire."},
    Outcome.NOT_KEPT: {"fr": "Non retenue cette fois.", "it": "Non accolta questa volta."},
}


def test_three_decisions_publish_their_answers_in_both_languages_and_email_once(
    client, demo, meeting, manager, proposals, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    decided = list(zip(proposals[:3], ANSWERS.items(), strict=True))
    with django_capture_on_commit_callbacks(execute=True):
        for proposal, (outcome, texts) in decided:
            record_decision(
                actor=manager,
                meeting=meeting,
                contribution=proposal,
                outcome=outcome,
                answers=texts,
            )
    assert len(mail.outbox) == 6  # two followers each, once
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{who}-{n}@example.org" for who in ("follower", "voisin") for n in range(3)
    )
    for proposal, (outcome, texts) in decided:
        proposal.refresh_from_db()
        assert proposal.status == STATUS_OF_OUTCOME[outcome]
        assert proposal.answer_texts == texts
        for language in ("fr", "it"):
            html = client.get(f"/{language}/p/{demo.slug}/c/{proposal.pk}/").content.decode()
            assert texts[language] in html
            other = "it" if language == "fr" else "fr"
            assert texts[other] not in html
        decision = Decision.objects.get(meeting=meeting, contribution=proposal)
        assert decision.outcome == outcome and decision.meeting.date == datetime.date(2019, 6, 3)
        entry = AuditEntry.objects.get(target_id=decision.pk)
        assert entry.action == Action.DECIDE and entry.details["meeting_date"] == "2019-06-03"
    italian = next(m for m in mail.outbox if m.to[0] == "follower-0@example.org")
    assert "Accolta dal comitato." in italian.body

    # Recorded again with the same outcome (and a reworded answer): nobody is emailed again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for proposal, (outcome, texts) in decided:
            record_decision(
                actor=manager,
                meeting=meeting,
                contribution=proposal,
                outcome=outcome,
                answers=texts,
            )
        record_decision(
            actor=manager,
            meeting=meeting,
            contribution=proposals[0],
            outcome=Outcome.KEPT,
            answers={"fr": "Retenue, précisions.", "it": "Accolta, dettagli."},
        )
        # The same decision again at a later meeting: no news either.
        later = create_meeting(
            actor=manager,
            project=demo,
            date=datetime.date(2019, 7, 1),
            period_start=datetime.date(2019, 5, 1),
            period_end=datetime.date(2019, 5, 31),
        )
        record_decision(
            actor=manager,
            meeting=later,
            contribution=proposals[2],
            outcome=Outcome.NOT_KEPT,
            answers={"fr": "Toujours non retenue.", "it": "Ancora non accolta."},
        )
    assert mail.outbox == []
    proposals[0].refresh_from_db()
    assert proposals[0].answer_texts["it"] == "Accolta, dettagli."
    assert Decision.objects.filter(meeting=meeting).count() == 3


def test_merged_needs_its_target_and_marks_a_duplicate(demo, meeting, manager, proposals):
    with pytest.raises(DomainError) as error:
        record_decision(
            actor=manager, meeting=meeting, contribution=proposals[3], outcome=Outcome.MERGED
        )
    assert error.value.code == "merge_target_required"
    record_decision(
        actor=manager,
        meeting=meeting,
        contribution=proposals[3],
        outcome=Outcome.MERGED,
        merged_into=proposals[0],
    )
    proposals[3].refresh_from_db()
    assert proposals[3].status == Status.DUPLICATE
    assert proposals[3].duplicate_of_id == proposals[0].pk
    assert set(proposals[3].answer_texts) == {"fr", "it"}


def test_default_answers_are_in_each_project_language(demo, meeting):
    for outcome in Outcome.values:
        texts = default_answers(demo, outcome, meeting)
        assert set(texts) == {"fr", "it"} and all("03/06/2019" in t for t in texts.values())


def test_the_meeting_page_lists_the_period_and_records_a_decision(
    client, demo, meeting, manager, proposals, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = f"/en/staff/{demo.slug}/meetings/{meeting.pk}/"
    html = client.get(url).content.decode()
    for proposal in proposals:
        assert f'id="proposal-{proposal.pk}"' in html
    assert 'id="decision-defaults"' in html
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "contribution": proposals[1].pk,
                "outcome": "kept",
                "answer_fr": "Oui.",
                "answer_it": "Sì.",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    html = client.get(url).content.decode()
    assert f"/staff/{demo.slug}/results/new/?contribution={proposals[1].pk}" in html
    partner = f"/en/staff/{demo.slug}/partner-projects/new/?from_contribution={proposals[1].pk}"
    assert partner.removeprefix("/en") in html
    assert proposals[1].title in client.get(partner).content.decode()  # the form starts from it
    response = client.post(url, {"contribution": proposals[2].pk, "outcome": "merged"})
    assert response.status_code == 422
    # Merging: the other proposals of the meeting are offered as the target.
    form = html.split(f'id="proposal-{proposals[3].pk}"')[1]
    assert f'<option value="{proposals[0].pk}">' in form.split("</article>")[0]
    merged = {"contribution": proposals[3].pk, "outcome": "merged", "merged_into": proposals[0].pk}
    assert client.post(url, merged).status_code == 302
    proposals[3].refresh_from_db()
    assert proposals[3].duplicate_of_id == proposals[0].pk
    # The merged proposal stays on its meeting's page, its decision shown.
    assert f'id="proposal-{proposals[3].pk}"' in client.get(url).content.decode()
    assert client.post(url, {"contribution": "nope", "outcome": "kept"}).status_code == 404


def test_meetings_page_creates_a_meeting_and_refuses_a_bad_period(client, demo, manager):
    client.force_login(manager)
    url = f"/en/staff/{demo.slug}/meetings/"
    bad = {"date": "2019-07-01", "period_start": "2019-06-30", "period_end": "2019-06-01"}
    assert client.post(url, bad).status_code == 422
    good = {**bad, "period_start": "2019-06-01", "period_end": "2019-06-30", "title": "Juillet"}
    response = client.post(url, good)
    assert response.status_code == 302
    assert Meeting.objects.filter(project=demo, title="Juillet").exists()


def test_only_moderators_and_managers_decide(client, demo, meeting, proposals):
    analyst = give_role(make_user(), demo, Role.ANALYST)
    with pytest.raises(DomainError):
        record_decision(
            actor=analyst, meeting=meeting, contribution=proposals[0], outcome=Outcome.KEPT
        )
    client.force_login(analyst)
    assert client.get(f"/en/staff/{demo.slug}/meetings/{meeting.pk}/").status_code == 404
