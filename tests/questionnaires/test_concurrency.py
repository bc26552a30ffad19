"""The same response sent twice at once (a phone retrying on a flaky network while the first
send is still being written): exactly one response is stored, and both sends get it."""

import threading

import pytest
from django.db import connection

from mapping.demo import load_demo
from questionnaires.models import MapAnswer, Response
from questionnaires.services import submit_response
from tests.contributions.conftest import NICE
from tests.questionnaires.factories import client_key, make_questionnaire, point

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_sends_store_one_response():
    questionnaire = make_questionnaire(load_demo(count=0))
    key = client_key()
    answers = {"bus": "never", "unsafe": [point(*NICE)]}
    start = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            start.wait()
            results.append(
                submit_response(
                    questionnaire=questionnaire, answers=answers, client_key=key, language="it"
                )
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(created for _response, created in results) == [False, True]
    assert len({response.pk for response, _created in results}) == 1
    assert Response.objects.filter(questionnaire=questionnaire).count() == 1
    assert MapAnswer.objects.filter(response__questionnaire=questionnaire).count() == 1
