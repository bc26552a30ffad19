"""The light sign-in: an email, a code sent to it, no password; then a project that asks for
sign-in takes the contribution."""

import re

import pytest
from django.core import mail

from contributions.models import Contribution, Project

pytestmark = pytest.mark.django_db

SANREMO = [7.7760, 43.8170]


def _code(message):
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M).group(1)


def test_a_resident_signs_up_with_an_email_and_a_code(client, demo):
    Project.objects.filter(pk=demo.pk).update(allow_anonymous=False)
    page = client.get(f"/fr/p/{demo.slug}/").content.decode()
    assert "/fr/accounts/login/?next=" in page  # asked to sign in before the form

    response = client.post("/fr/accounts/signup/", {"email": "new@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "new@example.org" in mail.outbox[0].to
    assert "password" not in client.get(response["Location"]).content.decode().lower()
    # A wrong code does not sign in.
    client.post("/fr/accounts/confirm-email/", {"code": "AAAA-AAAA"})
    assert "_auth_user_id" not in client.session
    client.post("/fr/accounts/confirm-email/", {"code": _code(mail.outbox[0])})
    assert "_auth_user_id" in client.session

    response = client.post(
        f"/api/projects/{demo.slug}/contributions/",
        data={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": SANREMO},
            "properties": {"kind": "proposal", "theme": "infrastructure", "title": "Signé"},
        },
        content_type="application/geo+json",
    )
    assert response.status_code == 201, response.content
    assert Contribution.objects.get(title="Signé").author.email == "new@example.org"
    Project.objects.filter(pk=demo.pk).update(allow_anonymous=True)


def test_a_returning_resident_signs_in_with_a_code(client, django_user_model):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("back", "back@example.org")
    EmailAddress.objects.create(user=user, email="back@example.org", verified=True, primary=True)
    response = client.post("/fr/accounts/login/code/", {"email": "back@example.org"})
    assert response.status_code == 302
    client.post(response["Location"], {"code": _code(mail.outbox[-1])})
    assert client.session["_auth_user_id"] == str(user.pk)
