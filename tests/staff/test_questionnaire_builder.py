"""The questionnaire builder without a browser: managers only, every step through the
forms, the order and conditions kept consistent, hostile input refused with a 4xx."""

import pytest

from core.errors import DomainError
from questionnaires import builder
from questionnaires.models import Question, Questionnaire
from questionnaires.services import submit_response
from staff.models import Action, AuditEntry
from tests.factories import LIVE
from tests.questionnaires.factories import client_key, make_questionnaire

pytestmark = pytest.mark.django_db


def base(project):
    return f"/fr/staff/{project.slug}/questionnaires/"


def new_questionnaire(client, project, **changes):
    data = {"title_fr": "Transports", "title_it": "Trasporti", "slug": "transports"}
    data.update(changes)
    return client.post(f"{base(project)}new/", data)


def question_data(**changes):
    data = {"code": "bus", "text_fr": "Prenez-vous le car ?", "text_it": "Prende il bus?"}
    data.update(changes)
    return data


def test_only_managers_build(client, demo, moderator, analyst):
    for person in (moderator, analyst):
        client.force_login(person)
        assert client.get(base(demo)).status_code == 404
        assert new_questionnaire(client, demo).status_code == 404
    assert not Questionnaire.objects.filter(slug="transports").exists()


def test_a_manager_builds_and_publishes(client, demo, manager):
    client.force_login(manager)
    assert client.get(base(demo)).status_code == 200
    response = new_questionnaire(client, demo)
    assert response.status_code == 302, response.content.decode()[:3000]
    questionnaire = Questionnaire.objects.get(project=demo, slug="transports")
    assert questionnaire.title == {"fr": "Transports", "it": "Trasporti"}
    page = questionnaire.pages.get()
    url = f"{base(demo)}{questionnaire.pk}/"
    # Publishing an empty questionnaire is refused.
    client.post(url, {"action": "publish"})
    questionnaire.refresh_from_db()
    assert not questionnaire.published
    response = client.get(f"{url}questions/new/", {"kind": "single_choice", "page": page.pk})
    assert response.status_code == 200
    response = client.post(
        f"{url}questions/new/?kind=single_choice",
        {
            **question_data(page=page.pk, required="on"),
            "choice_label_fr": ["Souvent", "Jamais", ""],
            "choice_label_it": ["Spesso", "Mai", ""],
            "choice_label_en": ["", "", ""],
            "choice_value": ["", "never", ""],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bus = Question.objects.get(questionnaire=questionnaire, code="bus")
    assert bus.choices == [
        {"value": "souvent", "label": {"fr": "Souvent", "it": "Spesso"}},
        {"value": "never", "label": {"fr": "Jamais", "it": "Mai"}},
    ]
    assert bus.required
    response = client.post(
        f"{url}questions/new/?kind=map_line",
        {
            **question_data(code="route", page=page.pk),
            "min_count": "0",
            "max_count": "2",
            "max_length_m": "8000",
            "inside_perimeter": "on",
            "condition_question": "bus",
            "condition_values": ["bus:never"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    route = Question.objects.get(questionnaire=questionnaire, code="route")
    assert route.condition == {"question": "bus", "values": ["never"]}
    assert (route.max_count, route.max_length_m, route.kind) == (2, 8000, "map_line")
    # Moving the condition's source below it is refused; the order stays.
    client.post(f"{url}questions/{bus.pk}/move/", {"action": "down"})
    assert list(questionnaire.ordered_questions().values_list("code", flat=True)) == [
        "bus",
        "route",
    ]
    # So is deleting it.
    client.post(f"{url}questions/{bus.pk}/move/", {"action": "delete", "confirm": "yes"})
    assert Question.objects.filter(pk=bus.pk).exists()
    client.post(url, {"action": "add_page", "title_fr": "Carte"})
    assert questionnaire.pages.count() == 2
    client.post(url, {"action": "publish"})
    questionnaire.refresh_from_db()
    assert questionnaire.published
    # Created, then published once: the refused early publication left no entry.
    entries = AuditEntry.objects.filter(action=Action.SURVEY).order_by("id")
    assert [e.details.get("published", "created") for e in entries] == ["created", True]
    client.post(f"{url}pages/{page.pk}/", {"action": "rename", "title_it": "Viaggi"})
    page.refresh_from_db()
    assert page.title == {"it": "Viaggi"}
    page = client.get(url).content.decode()
    assert 'data-code="route"' in page and "Carte" in page
    assert "badge warn" not in page  # every question has its French and Italian text


@pytest.mark.parametrize(
    ("kind", "changes", "status"),
    [
        ("scale", {"scale_min": "5", "scale_max": "1"}, 422),
        ("number", {"number_min": "10", "number_max": "1"}, 422),
        ("short_text", {"code": "pas un code"}, 422),
        ("short_text", {"text_fr": ""}, 422),
        ("short_text", {"text_fr": "x" * 5000}, 422),
        ("map_point", {"min_count": "5", "max_count": "2"}, 422),
        ("map_area", {"max_area_ha": "-1", "min_count": "0", "max_count": "1"}, 422),
        ("single_choice", {}, 422),
        ("number", {"number_max": "1e309"}, 422),
        ("map_line", {"max_length_m": "1e300", "min_count": "0", "max_count": "1"}, 422),
        ("nope", {}, 404),
    ],
)
def test_bad_questions_are_refused(client, demo, manager, kind, changes, status):
    client.force_login(manager)
    questionnaire = make_questionnaire(demo, questions=False)
    page = questionnaire.pages.create(position=0)
    before = Question.objects.count()
    data = {**question_data(page=page.pk, min_count="0", max_count="1"), **changes}
    response = client.post(f"{base(demo)}{questionnaire.pk}/questions/new/?kind={kind}", data)
    assert response.status_code == status
    assert Question.objects.count() == before


def test_a_code_is_used_once(client, demo, manager):
    client.force_login(manager)
    questionnaire = make_questionnaire(demo)
    page = questionnaire.pages.first()
    response = client.post(
        f"{base(demo)}{questionnaire.pk}/questions/new/?kind=short_text",
        question_data(code="bus", page=page.pk),
    )
    assert response.status_code == 422
    assert 'id="id_code_error"' in response.content.decode()
    again = new_questionnaire(client, demo, slug=questionnaire.slug)
    assert again.status_code == 422 and 'id="id_slug_error"' in again.content.decode()


def test_another_projects_questionnaire_is_not_found(client, demo, manager, other_project):
    client.force_login(manager)
    foreign = make_questionnaire(other_project)
    assert client.get(f"{base(demo)}{foreign.pk}/").status_code == 404
    question = foreign.questions.first()
    assert client.get(f"{base(demo)}{foreign.pk}/questions/{question.pk}/").status_code == 404


def test_deleting_asks_first(client, demo, manager):
    client.force_login(manager)
    questionnaire = make_questionnaire(demo)
    remarks = questionnaire.questions.get(code="remarks")
    url = f"{base(demo)}{questionnaire.pk}/questions/{remarks.pk}/move/"
    asked = client.post(url, {"action": "delete"})
    assert asked.status_code == 200 and b'id="confirm-delete"' in asked.content
    assert Question.objects.filter(pk=remarks.pk).exists()
    assert client.post(url, {"action": "delete", "confirm": "yes"}).status_code == 302
    assert not Question.objects.filter(pk=remarks.pk).exists()
    # A page with questions is not deleted; an empty one is, once confirmed.
    full = questionnaire.pages.get(position=0)
    client.post(
        f"{base(demo)}{questionnaire.pk}/pages/{full.pk}/", {"action": "delete", "confirm": "yes"}
    )
    assert questionnaire.pages.filter(pk=full.pk).exists()
    empty = questionnaire.pages.create(position=2)
    client.post(
        f"{base(demo)}{questionnaire.pk}/pages/{empty.pk}/", {"action": "delete", "confirm": "yes"}
    )
    assert not questionnaire.pages.filter(pk=empty.pk).exists()


def test_a_question_with_answers_keeps_its_type(client, demo, manager):
    client.force_login(manager)
    questionnaire = make_questionnaire(demo)
    submit_response(
        questionnaire=questionnaire,
        answers={"bus": "daily", "name": "Anna"},
        client_key=client_key(),
        language="fr",
    )
    name = questionnaire.questions.get(code="name")
    url = f"{base(demo)}{questionnaire.pk}/questions/{name.pk}/move/"
    client.post(url, {"action": "delete", "confirm": "yes"})
    assert Question.objects.filter(pk=name.pk).exists()
    with pytest.raises(DomainError) as caught:
        builder.save_question(
            questionnaire=questionnaire, page=name.page, question=name, kind="long_text"
        )
    assert caught.value.code == "question_has_answers"


def test_hostile_texts_come_out_escaped(client, demo, manager):
    client.force_login(manager)
    questionnaire = make_questionnaire(demo)
    why = questionnaire.questions.get(code="why")
    pages = [
        client.get(base(demo)),
        client.get(f"{base(demo)}{questionnaire.pk}/"),
        client.get(f"{base(demo)}{questionnaire.pk}/questions/{why.pk}/"),
        client.get(f"{base(demo)}{questionnaire.pk}/settings/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert not any(live in html for live in LIVE), page.request["PATH_INFO"]
