"""Sign-in details a planning service meets on day one: emails name the site, not the host, and
a staff member who opens the administration without the right is told where to go."""

import pytest
from django.core import mail

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_signed_in_analyst_opening_the_admin_is_told_where_to_go(client, demo, analyst):
    client.force_login(analyst)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="it", follow=True)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'href="/it/staff/"' in html or 'href="/fr/staff/"' in html
    assert analyst.get_username() in html
    assert "<h1>" in html  # the site's page, not a bare "403 Forbidden"


def test_sign_in_emails_name_the_site_not_the_host(client, settings):
    settings.SITE_URL = "https://carte.example.org"
    settings.SITE_NAME = ""
    make_user("resident", email="resident@example.org")
    mail.outbox.clear()
    response = client.post(
        "/fr/accounts/login/code/", {"email": "resident@example.org"}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code in (200, 302)
    assert mail.outbox, "no sign-in code sent"
    message = mail.outbox[-1]
    text = message.subject + message.body
    assert "Cartographie participative" in text
    assert "127.0.0.1" not in text and "testserver" not in text
