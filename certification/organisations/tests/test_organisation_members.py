from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.core.tests.assertions import assert_unchanged
from certification.organisations import services
from certification.organisations.models import Membership, MembershipInvitation, Organisation
from certification.organisations.tests.factories import (
    MembershipFactory,
    MembershipInvitationFactory,
)

pytestmark = pytest.mark.django_db

URL = "/dashboard/organisations/geoskolan/members/"
INVITE = URL + "invite/"


def remove_url(membership: Membership) -> str:
    return f"{URL}{membership.pk}/remove/"


def cancel_url(invitation: MembershipInvitation) -> str:
    return f"/dashboard/organisations/geoskolan/invitations/{invitation.pk}/cancel/"


@pytest.fixture
def invitation(alice: User, alice_org: Organisation) -> MembershipInvitation:
    return services.invite_member(
        alice_org, by=alice, email="dan@example.org", role=Membership.Role.TRAINER
    )


# --- The members page --------------------------------------------------------------------


def test_an_owner_sees_members_invitations_and_the_invite_form(
    client_for, alice: User, bob: User, invitation: MembershipInvitation
) -> None:
    response = client_for(alice).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "bob@example.org" in content
    assert "dan@example.org" in content
    assert 'action="/dashboard/organisations/geoskolan/members/invite/"' in content
    assert cancel_url(invitation) in content
    assert remove_url(Membership.objects.get(user=bob)) in content


def test_expired_cancelled_and_accepted_invitations_are_not_listed(
    client_for, alice: User, alice_org: Organisation
) -> None:
    now = timezone.now()
    for email, changes in [
        ("old@example.org", {"expires_at": now - timedelta(days=1)}),
        ("gone@example.org", {"cancelled_at": now}),
        ("joined@example.org", {"accepted_at": now}),
    ]:
        MembershipInvitationFactory.create(organisation=alice_org, email=email, **changes)

    content = client_for(alice).get(URL).content.decode()

    assert "No pending invitations." in content
    assert "old@example.org" not in content


@pytest.mark.parametrize("persona", ["maria", "bob"])
def test_managers_and_trainers_see_the_members_read_only(
    client_for, alice: User, invitation: MembershipInvitation, persona, request
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alice Andersson" in content
    assert "dan@example.org" not in content
    assert "/members/invite/" not in content
    assert "/remove/" not in content
    assert "Only owners of the organisation can invite and remove members." in content


def test_a_trainer_does_not_see_member_emails(client_for, alice: User, bob: User) -> None:
    assert "alice@example.org" not in client_for(bob).get(URL).content.decode()


def test_the_certification_team_sees_the_members(client_for, alice: User, rita: User) -> None:
    response = client_for(rita).get(URL)

    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()


@pytest.mark.parametrize("persona", ["carol", "ugo", "tom"])
def test_people_outside_the_organisation_get_a_404(
    client_for, alice: User, persona, request
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org: Organisation) -> None:
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_the_members_page_costs_the_same_queries_for_many_members(
    client_for, alice: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    client = client_for(alice)
    client.get(URL)
    MembershipFactory.create_batch(20, organisation=alice_org, role=Membership.Role.TRAINER)
    for number in range(20):
        services.invite_member(
            alice_org, by=alice, email=f"invitee{number}@example.org", role="trainer"
        )

    with django_assert_max_num_queries(9):
        response = client.get(URL)

    assert response.content.decode().count("invitee") == 20 * 2  # address and hidden label


# --- Inviting ----------------------------------------------------------------------------


def test_an_owner_invites_a_member_by_email(
    client_for, alice: User, alice_org: Organisation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(INVITE, {"email": "Dan@Example.org", "role": "manager"})

    assert response.status_code == 302
    assert response["Location"] == URL
    invitation = MembershipInvitation.objects.get()
    assert invitation.email == "dan@example.org"
    assert invitation.role == Membership.Role.MANAGER
    assert invitation.invited_by == alice
    assert [message.to for message in mail.outbox] == [["dan@example.org"]]
    followed = client_for(alice).get(URL).content.decode()
    assert "dan@example.org" in followed


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "not-an-address", "role": "trainer"}, "Enter a valid email address."),
        ({"email": "", "role": "trainer"}, "This field is required."),
        ({"email": "dan@example.org", "role": "janitor"}, "Select a valid choice."),
        ({"email": "BOB@example.org", "role": "trainer"}, "bob@example.org is already a member."),
    ],
)
def test_it_refuses_bad_invitations(
    client_for, alice: User, bob: User, data, error, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(INVITE, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not MembershipInvitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["maria", "bob", "rita"])
def test_only_owners_invite(client_for, alice: User, persona, request) -> None:
    response = client_for(request.getfixturevalue(persona)).post(
        INVITE, {"email": "dan@example.org", "role": "owner"}
    )

    assert response.status_code == 403
    assert not MembershipInvitation.objects.exists()


def test_another_organisations_owner_cannot_invite(client_for, alice: User, carol: User) -> None:
    response = client_for(carol).post(INVITE, {"email": "dan@example.org", "role": "owner"})

    assert response.status_code == 404
    assert not MembershipInvitation.objects.exists()


def test_anonymous_visitors_cannot_invite(client: Client, alice_org: Organisation) -> None:
    response = client.post(INVITE, {"email": "dan@example.org", "role": "owner"})

    assert response["Location"].startswith("/accounts/login/")
    assert not MembershipInvitation.objects.exists()


def test_inviting_is_post_only(client_for, alice: User) -> None:
    with assert_unchanged(MembershipInvitation):
        assert client_for(alice).get(INVITE).status_code == 405


# --- Cancelling an invitation ------------------------------------------------------------


def test_an_owner_cancels_an_invitation(
    client_for, alice: User, invitation: MembershipInvitation
) -> None:
    response = client_for(alice).post(cancel_url(invitation), follow=True)

    assert "The invitation to dan@example.org is cancelled." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert services.invitation_from_token(services.invitation_token(invitation)) is None


def test_an_accepted_invitation_cannot_be_cancelled(
    client_for, alice: User, invitation: MembershipInvitation
) -> None:
    invitation.accepted_at = timezone.now()
    invitation.save()

    assert client_for(alice).post(cancel_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


@pytest.mark.parametrize(("persona", "status"), [("maria", 403), ("bob", 403), ("carol", 404)])
def test_only_the_owners_cancel_invitations(
    client_for, invitation: MembershipInvitation, persona, status, request
) -> None:
    response = client_for(request.getfixturevalue(persona)).post(cancel_url(invitation))

    assert response.status_code == status
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_cancelling_is_post_only(client_for, alice: User, invitation: MembershipInvitation) -> None:
    with assert_unchanged(invitation):
        assert client_for(alice).get(cancel_url(invitation)).status_code == 405


def test_anonymous_visitors_cannot_cancel(client: Client, invitation: MembershipInvitation) -> None:
    assert client.post(cancel_url(invitation))["Location"].startswith("/accounts/login/")
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


# --- Removing a member -------------------------------------------------------------------


def test_removing_asks_for_confirmation_first(client_for, alice: User, bob: User) -> None:
    membership = Membership.objects.get(user=bob)

    response = client_for(alice).get(remove_url(membership))

    assert response.status_code == 200
    assert (
        "Remove <strong>Bob Berg</strong> (Trainer) from Geoskolan AB?" in response.content.decode()
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_owner_removes_a_member(client_for, alice: User, bob: User) -> None:
    membership = Membership.objects.get(user=bob)

    response = client_for(alice).post(remove_url(membership), follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "Bob Berg is no longer a member of Geoskolan AB." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_cannot_be_removed(client_for, alice: User) -> None:
    membership = Membership.objects.get(user=alice)

    response = client_for(alice).post(remove_url(membership), follow=True)

    assert "An organisation needs at least one owner." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_owner_who_leaves_goes_back_to_the_dashboard(
    client_for, alice: User, alice_org: Organisation
) -> None:
    MembershipFactory.create(organisation=alice_org, role=Membership.Role.OWNER)

    response = client_for(alice).post(remove_url(Membership.objects.get(user=alice)))

    assert response["Location"] == "/dashboard/"
    assert not Membership.objects.filter(user=alice).exists()


@pytest.mark.parametrize(("persona", "status"), [("maria", 403), ("bob", 403), ("rita", 403)])
def test_only_owners_remove_members(client_for, alice: User, persona, status, request) -> None:
    membership = Membership.objects.get(user=alice)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(remove_url(membership)).status_code == status
    assert client.post(remove_url(membership)).status_code == status
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_another_organisations_owner_cannot_remove_members(
    client_for, alice: User, bob: User, carol: User
) -> None:
    membership = Membership.objects.get(user=bob)

    assert client_for(carol).post(remove_url(membership)).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_organisation_is_a_404(
    client_for, alice: User, carol: User
) -> None:
    carols = Membership.objects.get(user=carol)

    assert client_for(alice).post(remove_url(carols)).status_code == 404
    assert Membership.objects.filter(pk=carols.pk).exists()


def test_anonymous_visitors_cannot_remove_members(client: Client, bob: User) -> None:
    membership = Membership.objects.get(user=bob)

    assert client.post(remove_url(membership))["Location"].startswith("/accounts/login/")
    assert Membership.objects.filter(pk=membership.pk).exists()
