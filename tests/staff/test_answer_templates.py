"""Answer templates: edited in place by a manager, deleted only after a confirmation page
that works without JavaScript; their status shown by its label."""

import pytest

from staff.models import AnswerTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(demo):
    return AnswerTemplate.objects.create(
        project=demo,
        name="Refus hors périmètre",
        texts={"fr": "Hors du périmètre."},
        status="rejected",
    )


def url(project, suffix=""):
    return f"/fr/staff/{project.slug}/answers/{suffix}"


def test_a_manager_edits_a_template(client, demo, manager, template):
    client.force_login(manager)
    page = client.get(url(demo), {"edit": template.pk}).content.decode()
    assert "Hors du périmètre." in page  # the form holds the current text
    assert f'name="template_id" value="{template.pk}"' in page
    response = client.post(
        url(demo),
        {"template_id": template.pk, "name": "Refus", "status": "planned", "text": "Prévu."},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.status, template.texts) == (
        "Refus",
        "planned",
        {"fr": "Prévu."},
    )
    assert AnswerTemplate.objects.filter(project=demo).count() == 1


def test_an_invalid_edit_keeps_the_template(client, demo, manager, template):
    client.force_login(manager)
    response = client.post(url(demo), {"template_id": template.pk, "name": "", "text": ""})
    assert response.status_code == 422
    template.refresh_from_db()
    assert template.name == "Refus hors périmètre"


def test_others_cannot_edit(client, demo, moderator, template):
    client.force_login(moderator)
    assert client.get(url(demo), {"edit": template.pk}).status_code == 404
    response = client.post(url(demo), {"template_id": template.pk, "name": "x", "text": "y"})
    assert response.status_code == 404
    assert client.get(url(demo), {"edit": "nothing"}).status_code == 404


def test_deleting_asks_first(client, demo, manager, template):
    client.force_login(manager)
    listing = client.get(url(demo)).content.decode()
    delete = url(demo, f"{template.pk}/delete/")
    assert f'href="{delete}"' in listing  # a link to the confirmation, not a one-click form
    confirm = client.get(delete)
    assert confirm.status_code == 200
    assert AnswerTemplate.objects.filter(pk=template.pk).exists()
    page = confirm.content.decode()
    assert "Refus hors périmètre" in page and 'method="post"' in page
    assert client.post(delete).status_code == 302
    assert not AnswerTemplate.objects.filter(pk=template.pk).exists()
    assert client.get(delete).status_code == 404


def test_the_card_shows_the_status_label(client, demo, moderator, template):
    client.force_login(moderator)
    page = client.get(url(demo)).content.decode()
    assert ">non retenue<" in page
    assert ">rejected<" not in page
    # A moderator sees the templates, not the edit and delete links.
    assert "?edit=" not in page and "/delete/" not in page
