"""Profile answers reach privacy through contributions' contribution_submitted signal: stored
when valid, and a wrong one undoes the whole submission with the API's usual error."""

import json

import pytest
from django.contrib.gis.geos import Point

from contributions import services
from contributions.models import Contribution, Follow
from contributions.signals import contribution_submitted
from core.errors import DomainError
from privacy.models import ParticipantProfile

from .test_location import API, EXACT, post_report

pytestmark = pytest.mark.django_db


def post_with(client, **properties):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(EXACT)},
        "properties": {
            "kind": "report",
            "theme": "infrastructure",
            "title": "Trottoir défoncé",
            "email": "habitant@example.org",
            **properties,
        },
    }
    return client.post(
        f"{API}/contributions/", json.dumps(feature), content_type="application/geo+json"
    )


def test_answers_given_with_a_contribution_are_recorded(client, demo):
    item = post_report(client, age_bracket="45_59", residence="06088")
    profile = ParticipantProfile.objects.get(contribution_id=item)
    assert (profile.age_bracket, profile.residence.code) == ("45_59", "06088")
    assert Contribution.objects.get(pk=item).profile == profile


def test_no_answer_no_profile(client, demo):
    item = post_report(client)
    assert not ParticipantProfile.objects.filter(contribution_id=item).exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"age_bracket": "12"}, "age_bracket"), ({"residence": "99999"}, "residence")],
)
def test_a_wrong_answer_is_refused_and_nothing_is_written(client, demo, answers, field):
    before = (Contribution.objects.count(), Follow.objects.count())
    response = post_with(client, **answers)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]
    assert (Contribution.objects.count(), Follow.objects.count()) == before
    assert not ParticipantProfile.objects.exists()


def test_the_service_rolls_back_what_privacy_refuses(demo):
    """Whoever calls the service, not only the API: the receiver runs in its transaction."""
    submission = services.Submission(
        kind="report",
        theme="infrastructure",
        title="Lampadaire éteint",
        geometry=Point(*EXACT, srid=4326),
        email="habitant@example.org",
    )
    before = (Contribution.objects.count(), Follow.objects.count())
    with pytest.raises(DomainError) as refused:
        services.submit_contribution(
            project=demo, submission=submission, profile={"age_bracket": "12"}
        )
    assert refused.value.code == "invalid" and "age_bracket" in refused.value.extra["fields"]
    assert (Contribution.objects.count(), Follow.objects.count()) == before


def test_privacy_listens_once():
    receivers = [r for r in contribution_submitted.receivers if r[0][0] == "privacy-record-profile"]
    assert len(receivers) == 1
