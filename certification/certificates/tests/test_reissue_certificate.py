"""services.reissue_certificate: a replacement with a corrected name, free at first."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import ledger as billing
from certification.billing.models import CreditEntry
from certification.certificates.models import Certificate
from certification.certificates.services import (
    CertificateError,
    reissue_certificate,
    revoke_certificate,
)
from certification.certificates.tests.factories import approved_course, give_credits, issue
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(alice_org: Organisation, alice: User) -> Certificate:
    [certificate] = issue(approved_course(alice_org, attendees=1), by=alice)
    return certificate


def after_the_free_period(settings) -> time_machine.travel:
    days = settings.CERTIFICATE_FREE_REISSUE_DAYS + 1
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def test_a_correction_replaces_the_certificate_free_of_charge_at_first(
    certificate: Certificate, alice: User
) -> None:
    organisation = certificate.course.organisation

    new = reissue_certificate(certificate, by=alice, name="  Anna   Öberg ")

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.replaced_by == new
    assert certificate.revocation_reason == "Replaced to correct the name."
    assert new.is_valid
    assert new.kind == certificate.kind
    assert new.snapshot == {**certificate.snapshot, "name": "Anna Öberg"}
    assert new.attendee.name == "Anna Öberg"
    assert billing.balance(organisation) == 0
    refund = CreditEntry.objects.get(kind=CreditEntry.Kind.REFUND)
    assert (refund.certificate_code, refund.amount) == (certificate.code, 1)
    assert CreditEntry.objects.get(certificate_code=new.code).amount == -1
    event = AuditEvent.objects.get(action="certificate.reissued")
    assert event.data == {"replaced_by": new.code, "free": True}


def test_later_a_correction_costs_a_credit(certificate: Certificate, alice: User, settings) -> None:
    organisation = certificate.course.organisation
    give_credits(organisation, 1)

    with after_the_free_period(settings):
        new = reissue_certificate(certificate, by=alice, name="Anna Öberg")

    assert billing.balance(organisation) == 0
    assert not CreditEntry.objects.filter(kind=CreditEntry.Kind.REFUND).exists()
    assert AuditEvent.objects.get(action="certificate.reissued").data["free"] is False
    assert new.is_valid


def test_a_paid_correction_without_credits_changes_nothing(
    certificate: Certificate, alice: User, settings
) -> None:
    with after_the_free_period(settings), pytest.raises(CertificateError, match="needed"):
        reissue_certificate(certificate, by=alice, name="Anna Öberg")

    certificate.refresh_from_db()
    assert certificate.is_valid
    assert certificate.attendee.name == "Attendee 001"
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the name"), ("Attendee  001", "same as on the certificate")],
)
def test_it_refuses_names_that_correct_nothing(
    certificate: Certificate, alice: User, name: str, message: str
) -> None:
    with pytest.raises(CertificateError, match=message):
        reissue_certificate(certificate, by=alice, name=name)


def test_a_revoked_certificate_is_not_reissued(certificate: Certificate, alice: User) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    with pytest.raises(CertificateError, match="Only a valid certificate"):
        reissue_certificate(certificate, by=alice, name="Anna Öberg")


@pytest.mark.parametrize("persona", ["bob", "carol", "rita"])
def test_only_owners_and_managers_of_the_organisation_reissue(
    request: pytest.FixtureRequest, certificate: Certificate, persona: str
) -> None:
    give_credits(certificate.course.organisation, 1)

    with pytest.raises(PermissionDenied):
        reissue_certificate(certificate, by=request.getfixturevalue(persona), name="Anna Öberg")

    certificate.refresh_from_db()
    assert certificate.is_valid
    assert Certificate.objects.count() == 1
