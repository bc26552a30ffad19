import pytest
from django.utils.html import escape

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "",
        "?tab=comments",
        "record/",
        "dashboard/",
        "dashboard/communes.csv",
        "answers/",
        "audit/",
        "print/flyer/",
        "print/poster/",
        "diagnostic/",
    ],
)
def test_every_page_renders_for_a_manager(client, demo, manager, path):
    client.force_login(manager)
    response = client.get(f"/fr/staff/{demo.slug}/{path}")
    assert response.status_code == 200, response.content[:2000]


def test_index_and_contribution_page(client, demo, manager):
    client.force_login(manager)
    assert "tomorrow&#x27;s territory" in client.get("/en/staff/").content.decode()
    item = demo.contributions.first()
    response = client.get(f"/en/staff/{demo.slug}/c/{item.pk}/")
    assert response.status_code == 200
    assert escape(item.title) in response.content.decode()
