"""services.resend_certificate: a valid, delivered certificate is emailed again, once asked."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.certificates.models import Certificate
from certification.certificates.services import (
    CertificateError,
    resend_certificate,
    revoke_certificate,
)
from certification.certificates.tests.factories import (
    approved_course,
    attendees_of,
    delivered,
    issue,
)
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(alice_org: Organisation, alice: User, bob: User) -> Certificate:
    course = approved_course(alice_org, attendees=1, trainer_user=bob)
    [certificate] = issue(course, attendees_of(course), by=alice)
    return delivered(certificate)


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_it_emails_the_certificate_again_after_the_commit(
    request: pytest.FixtureRequest,
    certificate: Certificate,
    persona: str,
    django_capture_on_commit_callbacks,
) -> None:
    user = request.getfixturevalue(persona)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert resend_certificate(certificate, by=user) is True

    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[certificate.snapshot["email"]]]
    assert AuditEvent.objects.get(action="certificate.resend_requested").actor == user


def test_a_certificate_still_being_made_is_left_to_its_delivery(
    alice_org: Organisation, alice: User, django_capture_on_commit_callbacks
) -> None:
    [waiting] = issue(approved_course(alice_org, attendees=1), by=alice)

    with django_capture_on_commit_callbacks() as callbacks:
        assert resend_certificate(waiting, by=alice) is False

    assert callbacks == []
    assert not AuditEvent.objects.filter(action="certificate.resend_requested").exists()


def test_a_revoked_certificate_is_not_sent_again(certificate: Certificate, alice: User) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    with pytest.raises(CertificateError, match=r"A revoked certificate is not sent again\."):
        resend_certificate(certificate, by=alice)

    assert not AuditEvent.objects.filter(action="certificate.resend_requested").exists()


@pytest.mark.parametrize("persona", ["rita", "carol", "tom"])
def test_nobody_else_asks_for_it(
    request: pytest.FixtureRequest,
    certificate: Certificate,
    persona: str,
    django_capture_on_commit_callbacks,
) -> None:
    mail.outbox.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied),
    ):
        resend_certificate(certificate, by=request.getfixturevalue(persona))

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="certificate.resend_requested").exists()
