import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.accounts.tests.factories import PASSWORD, UserFactory
from certification.core.tests.assertions import assert_unchanged
from certification.organisations import services
from certification.organisations.models import Membership, MembershipInvitation, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def dan(db: None) -> User:
    return UserFactory.create(email="dan@example.org", name="Dan Dahl")


@pytest.fixture
def invitation(alice: User, alice_org: Organisation) -> MembershipInvitation:
    return services.invite_member(
        alice_org, by=alice, email="dan@example.org", role=Membership.Role.MANAGER
    )


@pytest.fixture
def link(invitation: MembershipInvitation) -> str:
    return f"/invitations/{services.invitation_token(invitation)}/"


def test_the_whole_journey_from_invitation_email_to_membership(
    client_for, alice: User, dan: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(
            "/dashboard/organisations/geoskolan/members/invite/",
            {"email": "dan@example.org", "role": "manager"},
        )
    [message] = mail.outbox
    assert message.to == ["dan@example.org"]
    assert "Geoskolan AB" in message.subject
    match = re.search(r"http://testserver(/invitations/[^/\s]+/)", str(message.body))
    assert match is not None
    path = match.group(1)

    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    assert "Log in to accept" in anonymous.content.decode()

    client = client_for(dan)
    page = client.get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        "Alice Andersson invites you to join <strong>Geoskolan AB</strong> as <strong>Manager</strong>"
        in content
    )
    assert "Accept the invitation" in content

    accepted = client.post(path, follow=True)

    assert accepted.redirect_chain[-1][0] == "/dashboard/organisations/geoskolan/"
    assert "Welcome to Geoskolan AB." in accepted.content.decode()
    membership = Membership.objects.get(user=dan)
    assert membership.role == Membership.Role.MANAGER
    assert MembershipInvitation.objects.get().accepted_at is not None
    # The link works once.
    assert client.get(path).status_code == 404


def test_anonymous_visitors_are_offered_to_log_in_or_sign_up_and_come_back(
    client: Client, link: str
) -> None:
    response = client.get(link)

    content = response.content.decode()
    assert "Geoskolan AB" in content
    assert f'href="/accounts/login/?next={link.replace(":", "%3A")}"' in content
    assert f'href="/accounts/signup/?next={link.replace(":", "%3A")}"' in content
    assert "Accept the invitation" not in content


def test_an_anonymous_post_is_sent_to_log_in(client: Client, link: str) -> None:
    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/invitations/")
    assert not Membership.objects.filter(user__email="dan@example.org").exists()


def test_another_address_is_warned_and_refused(
    client_for, carol: User, link: str, alice_org: Organisation
) -> None:
    client = client_for(carol)
    warning = client.get(link).content.decode()
    assert (
        "This invitation was sent to dan@example.org, and you are logged in as carol@example.org"
        in warning
    )

    response = client.post(link)

    assert response.status_code == 403
    assert (
        "This invitation was sent to dan@example.org. Log in with that address to accept it."
        in response.content.decode()
    )
    assert not alice_org.memberships.filter(user=carol).exists()
    assert MembershipInvitation.objects.get().accepted_at is None


def test_an_address_in_other_case_is_the_same_address(
    client_for, link: str, alice_org: Organisation
) -> None:
    dan = UserFactory.create(email="dan@example.org")
    User.objects.filter(pk=dan.pk).update(email="Dan@Example.org")
    dan.refresh_from_db()

    assert client_for(dan).post(link).status_code == 302
    assert alice_org.memberships.filter(user=dan).exists()


@pytest.mark.parametrize(
    "token",
    ["forged", "eyJpbnZpdGF0aW9uIjoxfQ:1vA0XY:abcdefghijklmnopqrstuvwxyz0123456789ABCDE"],
    ids=["garbage", "bad-signature"],
)
def test_a_forged_token_shows_the_invalid_page(client_for, dan: User, token: str) -> None:
    response = client_for(dan).get(f"/invitations/{token}/")

    assert response.status_code == 404
    assert "This invitation is no longer valid" in response.content.decode()
    assert client_for(dan).post(f"/invitations/{token}/").status_code == 404
    assert not Membership.objects.filter(user=dan).exists()


def test_an_expired_invitation_shows_the_invalid_page(client_for, dan: User, link: str) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client_for(dan).post(link)

    assert response.status_code == 404
    assert "This invitation is no longer valid" in response.content.decode()
    assert not Membership.objects.filter(user=dan).exists()


def test_a_cancelled_invitation_shows_the_invalid_page(
    client_for, alice: User, dan: User, invitation: MembershipInvitation, link: str
) -> None:
    services.cancel_invitation(invitation, by=alice)

    assert client_for(dan).post(link).status_code == 404
    assert not Membership.objects.filter(user=dan).exists()


def test_a_newer_invitation_replaces_the_older_one(
    client_for, alice: User, alice_org: Organisation, dan: User, link: str
) -> None:
    services.invite_member(alice_org, by=alice, email="dan@example.org", role="trainer")

    assert client_for(dan).get(link).status_code == 404


def test_it_accepts_only_get_and_post(
    client_for, dan: User, invitation: MembershipInvitation, link: str
) -> None:
    with assert_unchanged(invitation, Membership):
        assert client_for(dan).put(link).status_code == 405


def test_logging_in_from_the_invitation_comes_back_to_it(
    client: Client, dan: User, link: str
) -> None:
    response = client.post(
        f"/accounts/login/?next={link}",
        {"login": "dan@example.org", "password": PASSWORD, "next": link},
    )

    assert response.status_code == 302
    assert response["Location"] == link
