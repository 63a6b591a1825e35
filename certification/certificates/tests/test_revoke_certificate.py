"""services.revoke_certificate, and who may revoke when (the rule "certificate.revoke")."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.certificates.models import Certificate
from certification.certificates.services import CertificateError, revoke_certificate
from certification.certificates.tests.factories import CertificateFactory, approved_course, issue
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(alice_org: Organisation, alice: User) -> Certificate:
    [certificate] = issue(approved_course(alice_org, attendees=1), by=alice)
    return certificate


def test_it_revokes_with_the_reason_and_keeps_the_row(
    certificate: Certificate, alice: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        revoke_certificate(certificate, by=alice, reason="  Wrong person  ")

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == alice
    assert certificate.revocation_reason == "Wrong person"
    event = AuditEvent.objects.get(action="certificate.revoked")
    assert event.data["reason"] == "Wrong person"
    assert len(callbacks) == 1  # the PDF is made again, marked revoked


def test_it_needs_a_reason(certificate: Certificate, alice: User) -> None:
    with pytest.raises(CertificateError, match="Give the reason"):
        revoke_certificate(certificate, by=alice, reason="  ")

    certificate.refresh_from_db()
    assert certificate.is_valid


def test_it_does_not_revoke_twice(certificate: Certificate, alice: User) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    with pytest.raises(CertificateError, match="already revoked"):
        revoke_certificate(certificate, by=alice, reason="Again")


def test_the_organisation_revokes_only_within_the_window(
    certificate: Certificate, alice: User, settings
) -> None:
    deadline = certificate.revocation_deadline
    assert deadline == certificate.issued_at + timedelta(days=settings.CERTIFICATE_REVOCATION_DAYS)
    assert certificate.within_revocation_window(now=deadline)
    assert not certificate.within_revocation_window(now=deadline + timedelta(seconds=1))
    with time_machine.travel(deadline, tick=False):
        assert can(alice, "certificate.revoke", certificate)
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert not can(alice, "certificate.revoke", certificate)

    with (
        time_machine.travel(deadline + timedelta(hours=1), tick=False),
        pytest.raises(CertificateError, match="Only the certification team"),
    ):
        revoke_certificate(certificate, by=alice, reason="Too late")

    certificate.refresh_from_db()
    assert certificate.is_valid


def test_the_certification_team_revokes_at_any_time(certificate: Certificate, rita: User) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        revoke_certificate(certificate, by=rita, reason="Fraud")

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


@pytest.mark.parametrize("persona", ["bob", "carol", "tom", "paula"])
def test_nobody_else_revokes(
    request: pytest.FixtureRequest, certificate: Certificate, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        revoke_certificate(certificate, by=request.getfixturevalue(persona), reason="No")

    certificate.refresh_from_db()
    assert certificate.is_valid
    assert not AuditEvent.objects.filter(action="certificate.revoked").exists()


def test_the_revocation_write_keeps_the_row_and_names_its_replacement(
    certificate: Certificate, alice: User
) -> None:
    replacement = CertificateFactory()
    at = certificate.issued_at + timedelta(days=1)

    certificate.revoke("Wrong person", by=alice, at=at, replaced_by=replacement)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_at == at
    assert certificate.revoked_by == alice
    assert certificate.revocation_reason == "Wrong person"
    assert certificate.replaced_by == replacement
