"""A person's questionnaire responses: in their data export, deleted at their erasure,
unlinked from their account at retention; never listed publicly."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from contributions.models import Project
from privacy import selectors, services
from questionnaires.admin import ResponseAdmin
from questionnaires.api import QuestionnaireView, ResponseCreateView
from questionnaires.models import Answer, MapAnswer, Response
from questionnaires.services import submit_response
from tests.contributions.conftest import NICE
from tests.factories import make_user
from tests.questionnaires.factories import client_key, make_questionnaire, point

pytestmark = pytest.mark.django_db


def answer(questionnaire, user=None, **answers):
    response, _ = submit_response(
        questionnaire=questionnaire,
        answers={"bus": "never", "unsafe": [point(*NICE, comment="sous le pont")], **answers},
        client_key=client_key(),
        user=user,
        language="fr",
    )
    return response


def test_the_export_lists_the_persons_responses_only(demo):
    questionnaire = make_questionnaire(demo)
    person, other = make_user(), make_user()
    mine = answer(questionnaire, person, satisfaction=2)
    answer(questionnaire, other)
    answer(questionnaire)
    data = selectors.personal_data(user=person)
    assert [r["id"] for r in data["questionnaire_responses"]] == [str(mine.pk)]
    record = data["questionnaire_responses"][0]
    assert record["answers"] == {"bus": "never", "satisfaction": 2}
    assert record["map_answers"] == [
        {
            "question": "unsafe",
            "geometry": {"type": "Point", "coordinates": list(NICE)},
            "comment": "sous le pont",
        }
    ]
    assert "questionnaire_responses" in selectors.personal_data_csv(data)
    json.dumps(data)  # serialisable as the download is


def test_erasure_deletes_the_persons_responses_and_keeps_the_others(demo):
    questionnaire = make_questionnaire(demo)
    person, other = make_user(), make_user()
    mine = answer(questionnaire, person)
    theirs = answer(questionnaire, other)
    entered = submit_response(
        questionnaire=questionnaire,
        answers={"bus": "daily"},
        client_key=client_key(),
        language="it",
        entered_by=person,
        channel="paper",
    )[0]
    report = services.erase_person(user=person)
    assert report.questionnaire_responses == 1 and report.account_deleted
    assert not Response.objects.filter(pk=mine.pk).exists()
    assert not Answer.objects.filter(response_id=mine.pk).exists()
    assert not MapAnswer.objects.filter(response_id=mine.pk).exists()
    assert Response.objects.filter(pk=theirs.pk).exists()
    # A paper response they had entered for someone else stays, without their name on it.
    entered.refresh_from_db()
    assert entered.entered_by is None


def test_retention_unlinks_responses_from_accounts(demo):
    questionnaire = make_questionnaire(demo)
    person = make_user()
    response = answer(questionnaire, person)
    Project.objects.filter(pk=demo.pk).update(
        closes_at=timezone.now() - timedelta(days=400), opens_at=None
    )
    try:
        report = services.apply_retention(days=365)
    finally:
        Project.objects.filter(pk=demo.pk).update(closes_at=None)
    response.refresh_from_db()
    assert (response.user, response.participant) == (None, "")
    assert report.questionnaire_respondents >= 1
    assert response.answers.count() == 1 and response.map_answers.count() == 1


def test_no_view_lists_responses():
    """The only address under responses/ takes a POST; reading one back is not possible."""
    assert not hasattr(ResponseCreateView, "get")
    assert set(QuestionnaireView.http_method_names) >= {"get"}
    assert ResponseAdmin.has_add_permission(None, None) is False
