"""An invited staff member's first sign-in takes one code: the login code, sent to their
address, proves that address, so no second code asks to verify it. Giving someone an account
and a role proves nothing; only the accepted code verifies the address."""

import itertools
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from staff.models import ProjectRole, Role

pytestmark = pytest.mark.django_db

WORKSPACE = "/fr/staff/"
_serial = itertools.count(1)


@pytest.fixture
def client():
    """A visitor from an address of its own: allauth's per-address and per-email limits on
    asking for codes (ACCOUNT_RATE_LIMITS) count each test apart, without clearing a cache
    other runs share."""
    return Client(REMOTE_ADDR=f"10.77.{next(_serial) % 250}.{next(_serial) % 250 + 1}")


@pytest.fixture
def email():
    return f"nouvelle.cheffe.{next(_serial)}@example.org"


def _code(message):
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M).group(1)


def _invite(django_user_model, project, email):
    """An account as the administration makes one for a new staff member: a user with an email
    (no allauth EmailAddress, nothing verified) and a role in a project."""
    user = django_user_model.objects.create_user(email.split("@")[0], email=email)
    ProjectRole.objects.create(user=user, project=project, role=Role.MANAGER)
    return user


def _ask_for_code(client, email):
    """Opens the workspace signed out, follows it to the sign-in page and asks for a code."""
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    login_url = response["Location"]
    assert "/accounts/login/" in login_url and "next=" in login_url
    sent = client.post("/fr/accounts/login/code/", {"email": email, "next": WORKSPACE})
    assert sent.status_code == 302, sent.content[:500]
    assert "/accounts/login/code/confirm/" in sent["Location"]
    return sent["Location"]


def test_an_invited_staff_member_signs_in_with_one_code(client, demo, django_user_model, email):
    user = _invite(django_user_model, demo, email)
    assert not EmailAddress.objects.filter(user=user).exists()
    mail.outbox.clear()

    confirm_url = _ask_for_code(client, email)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]

    confirmed = client.post(confirm_url, {"code": _code(mail.outbox[0])})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == WORKSPACE  # not the email verification page
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]  # no second code
    assert client.session["_auth_user_id"] == str(user.pk)

    workspace = client.get(WORKSPACE)
    assert workspace.status_code == 200
    assert f"/fr/staff/{demo.slug}/" in workspace.content.decode()

    address = EmailAddress.objects.get(user=user)
    assert address.email == email
    assert address.verified and address.primary


def test_the_next_sign_in_takes_one_code_too(client, demo, django_user_model, email):
    user = _invite(django_user_model, demo, email)
    confirm_url = _ask_for_code(client, email)
    client.post(confirm_url, {"code": _code(mail.outbox[-1])})
    client.logout()
    mail.outbox.clear()

    confirm_url = _ask_for_code(client, email.upper())
    confirmed = client.post(confirm_url, {"code": _code(mail.outbox[-1])})
    assert confirmed["Location"] == WORKSPACE
    assert len(mail.outbox) == 1
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.filter(user=user).count() == 1


def test_a_wrong_code_is_refused_and_verifies_nothing(client, demo, django_user_model, email):
    user = _invite(django_user_model, demo, email)
    mail.outbox.clear()
    confirm_url = _ask_for_code(client, email)
    good = _code(mail.outbox[0])
    wrong = "AAAA-AAAA" if good != "AAAA-AAAA" else "BBBB-BBBB"

    refused = client.post(confirm_url, {"code": wrong})
    assert refused.status_code == 200
    assert "Code incorrect." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()
    assert len(mail.outbox) == 1

    # The right code still opens the workspace, with no second code.
    confirmed = client.post(confirm_url, {"code": good})
    assert confirmed["Location"] == WORKSPACE
    assert len(mail.outbox) == 1
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize(
    "code",
    ["AAAA\x00AAAA", "\x00", "A" * 10_000, "é" * 10_000],
    ids=["nul-inside", "nul-only", "10k-ascii", "10k-accented"],
)
def test_a_hostile_code_gets_a_form_error_not_a_500(client, demo, django_user_model, email, code):
    user = _invite(django_user_model, demo, email)
    confirm_url = _ask_for_code(client, email)

    response = client.post(confirm_url, {"code": code})
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.context["form"].errors.get("code")
    ), response.status_code
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()


def test_a_hostile_email_gets_a_form_error_not_a_500(client, demo, django_user_model, email):
    _invite(django_user_model, demo, email)
    for hostile in (f"{email}\x00", "a" * 10_000 + "@example.org"):
        response = client.post("/fr/accounts/login/code/", {"email": hostile})
        assert response.status_code < 500
        assert response.status_code != 302
    assert not mail.outbox


def test_an_address_verified_by_another_account_is_not_taken(client, demo, django_user_model):
    """Two accounts given the same email in the administration: the one that owns it verified
    keeps it; a code sent to it does not move the verification to the other account."""
    owner = django_user_model.objects.create_user("resident", email="partage@example.org")
    EmailAddress.objects.create(user=owner, email="partage@example.org", verified=True)
    invited = _invite(django_user_model, demo, email="partage@example.org")
    client.post("/fr/accounts/login/code/", {"email": "partage@example.org"})
    if mail.outbox:
        confirm = client.post("/fr/accounts/login/code/confirm/", {"code": _code(mail.outbox[-1])})
        assert confirm.status_code < 500
    assert not EmailAddress.objects.filter(user=invited, verified=True).exists()
    assert EmailAddress.objects.get(user=owner).verified


def test_a_resident_signing_up_still_confirms_their_address_with_one_code(client):
    response = client.post("/fr/accounts/signup/", {"email": "habitante@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.filter(verified=True).exists()

    client.post("/fr/accounts/confirm-email/", {"code": _code(mail.outbox[0])})
    assert "_auth_user_id" in client.session
    assert len(mail.outbox) == 1
    address = EmailAddress.objects.get(email="habitante@example.org")
    assert address.verified and address.primary
