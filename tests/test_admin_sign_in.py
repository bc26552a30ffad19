"""The admin has no password form of its own: staff sign in with an emailed code, under the
site's rate limits and lockout."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_the_admin_sends_to_the_site_sign_in_and_a_code_opens_it(client, django_user_model):
    django_user_model.objects.create_superuser("chef", "chef@example.org", "unused-password")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert (
        response["Location"].startswith("/fr/accounts/login/")
        or "/accounts/login/" in (response["Location"])
    )
    # The old password form is gone: posting a password there does not sign in.
    client.post("/admin/login/", {"username": "chef", "password": "unused-password"})
    assert "_auth_user_id" not in client.session

    sent = client.post("/fr/accounts/login/code/", {"email": "chef@example.org"})
    confirmed = client.post(sent["Location"], {"code": _code(mail.outbox[-1])})
    # A superuser made by createsuperuser has an unverified address: a second code verifies it.
    if confirmed["Location"].endswith("/confirm-email/"):
        client.post(confirmed["Location"], {"code": _code(mail.outbox[-1])})
    assert client.get("/admin/").status_code == 200


def _code(message):
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M).group(1)
