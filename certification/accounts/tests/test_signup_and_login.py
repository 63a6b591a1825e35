import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from certification.accounts.models import User
from certification.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.person@example.org",
    "name": "New Person",
    "password1": "a-long-enough-password",
    "password2": "a-long-enough-password",
}


def _confirmation_link(body: str) -> str:
    match = re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_signing_up_sends_a_verification_email_and_confirming_logs_in(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "New Person"
    assert user.preferred_language == "en"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert mail.outbox[0].from_email == "QGIS Certification <certification@qgis.org>"

    link = _confirmation_link(str(mail.outbox[0].body))
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    assert not EmailAddress.objects.get(email=user.email).verified
    response = client.post(link)

    assert EmailAddress.objects.get(email=user.email).verified
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_signing_up_needs_a_name(client: Client) -> None:
    response = client.post("/accounts/signup/", {**SIGNUP, "name": ""})

    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    assert "This field is required" in response.content.decode()


def test_an_email_address_can_only_sign_up_once_without_revealing_it(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    UserFactory.create(email="new.person@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", {**SIGNUP, "email": "New.Person@example.org"})

    # The page looks the same as for a new address, so nobody learns who has an account;
    # the owner of the address is told by email instead.
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact=SIGNUP["email"]).count() == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "already" in mail.outbox[0].body


def test_people_log_in_with_their_email_address(client: Client) -> None:
    UserFactory.create(email="someone@example.org")

    response = client.post(
        "/accounts/login/", {"login": "someone@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_an_unverified_address_cannot_log_in(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    UserFactory.create(email="unverified@example.org", verified_email=False)
    EmailAddress.objects.create(
        user=User.objects.get(email="unverified@example.org"),
        email="unverified@example.org",
        primary=True,
        verified=False,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": "unverified@example.org", "password": PASSWORD}
        )

    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/dashboard/").status_code == 302
    assert len(mail.outbox) == 1  # a fresh verification link


def test_failed_log_ins_are_throttled(client: Client) -> None:
    UserFactory.create(email="target@example.org")
    for _attempt in range(5):
        response = client.post(
            "/accounts/login/", {"login": "target@example.org", "password": "wrong-guess"}
        )
        assert response.status_code == 200

    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_password_reset_sends_a_link(client: Client, django_capture_on_commit_callbacks):
    UserFactory.create(email="forgetful@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
