"""The organisation services check their own rules: no caller can go around them. Each
refusal leaves everything as it was."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.organisations import services
from certification.organisations.models import Membership, MembershipInvitation, Organisation

pytestmark = pytest.mark.django_db


def refused(call: Callable[[], object]) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        call()
    assert AuditEvent.objects.count() == events


def test_only_managers_change_the_profile(alice_org: Organisation, bob: User) -> None:
    alice_org.website = "https://elsewhere.example.org"

    refused(lambda: services.update_profile(alice_org, by=bob, changed=["website"]))

    alice_org.refresh_from_db()
    assert alice_org.website == "https://example.org"


def test_only_owners_invite_cancel_and_remove(
    alice_org: Organisation, alice: User, bob: User, carol: User
) -> None:
    invitation = services.invite_member(
        alice_org, by=alice, email="dan@example.org", role=Membership.Role.TRAINER
    )

    refused(
        lambda: services.invite_member(alice_org, by=bob, email="eve@example.org", role="owner")
    )
    refused(lambda: services.cancel_invitation(invitation, by=carol))
    refused(lambda: services.remove_member(Membership.objects.get(user=bob), by=carol))

    assert list(MembershipInvitation.objects.all()) == [invitation]
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Membership.objects.filter(user=bob, organisation=alice_org).exists()


def test_only_the_programme_changes_an_organisation_s_status(
    alice_org: Organisation, alice: User
) -> None:
    refused(
        lambda: services.change_status(alice_org, by=alice, status="suspended", reason="Unpaid.")
    )

    alice_org.refresh_from_db()
    assert alice_org.status == Organisation.Status.CERTIFIED
