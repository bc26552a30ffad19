"""The answering page's server side (issue 27): the project page links its open
questionnaires, the page hands its script the definition in the page's language, and says
when it takes no answers or asks to sign in first."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from questionnaires.models import Questionnaire
from tests.factories import assert_escaped
from tests.pages.questionnaire_data import mobility_questionnaire
from tests.questionnaires.factories import make_questionnaire

pytestmark = pytest.mark.django_db

CONFIG = re.compile(
    r'<script id="questionnaire-config" type="application/json">(.*?)</script>', re.S
)


def config_of(response):
    return json.loads(CONFIG.search(response.content.decode()).group(1))


def test_the_project_page_links_its_open_questionnaires_only(client, demo):
    mobility_questionnaire(demo)
    unpublished = mobility_questionnaire(demo, slug="bozza")
    unpublished.published = False
    unpublished.save()
    Questionnaire.objects.create(
        project=demo,
        slug="chiuso",
        title={"it": "Chiuso"},
        published=True,
        closes_at=timezone.now() - timedelta(days=1),
        opens_at=timezone.now() - timedelta(days=10),
    )
    html = client.get(f"/it/p/{demo.slug}/").content.decode()
    assert f'href="/it/p/{demo.slug}/q/mobilita/"' in html
    assert "Muoversi ogni giorno" in html
    assert "/q/bozza/" not in html and "/q/chiuso/" not in html


def test_the_page_hands_over_the_definition_in_its_language(client, demo):
    questionnaire = mobility_questionnaire(demo)
    response = client.get(f"/it/p/{demo.slug}/q/{questionnaire.slug}/")
    assert response.status_code == 200
    assert 'lang="it"' in response.content.decode()
    config = config_of(response)
    assert config["mode"] == "public" and config["language"] == "it"
    first = config["definition"]["pages"][0]["questions"][0]
    assert first["code"] == "bus" and first["text"] == {"text": "Prendete l'autobus?", "lang": "it"}
    assert config["urls"]["responses"] == (
        f"/api/projects/{demo.slug}/questionnaires/{questionnaire.slug}/responses/"
    )
    assert config["map"]["urls"]["checkLocation"].endswith("/check-location/")
    assert config["draftKey"].endswith(":anonymous")
    assert response.cookies.get("csrftoken")  # the answers are posted with it


def test_hostile_texts_are_text(client, demo):
    questionnaire = make_questionnaire(demo)
    response = client.get(f"/fr/p/{demo.slug}/q/{questionnaire.slug}/")
    title = questionnaire.title["fr"]
    assert_escaped(response.content.decode().split('<script id="questionnaire-config"')[0], title)


def test_closed_unpublished_and_sign_in_first(client, demo):
    closed = mobility_questionnaire(demo, slug="chiuso")
    closed.opens_at = timezone.now() - timedelta(days=10)
    closed.closes_at = timezone.now() - timedelta(days=1)
    closed.save()
    page = client.get(f"/it/p/{demo.slug}/q/chiuso/")
    assert page.status_code == 200 and "questionnaire-config" not in page.content.decode()
    draft = mobility_questionnaire(demo, slug="bozza")
    draft.published = False
    draft.save()
    assert client.get(f"/it/p/{demo.slug}/q/bozza/").status_code == 404
    assert client.get(f"/it/p/{demo.slug}/q/nessuno/").status_code == 404
    members = mobility_questionnaire(demo, slug="soci")
    members.allow_anonymous = False
    members.save()
    page = client.get(f"/it/p/{demo.slug}/q/soci/").content.decode()
    assert "questionnaire-config" not in page and "/accounts/login/" in page
