"""The background tasks: render each PDF once, store it, email it (tasks run at once in tests)."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

from certification.certificates import rendering, services, tasks
from certification.certificates.models import Certificate
from certification.certificates.tests.factories import (
    AttendeeFactory,
    CertificateFactory,
    CourseFactory,
    give_credits,
)
from certification.core.tests.flaky_mailer import FlakyEmailBackend
from certification.core.tests.pdfs import pdf_text
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FLAKY = {"default": {"BACKEND": "certification.core.tests.flaky_mailer.FlakyEmailBackend"}}


def stored_text(certificate: Certificate) -> str:
    name = certificate.pdf.name
    assert name
    with default_storage.open(name, "rb") as handle:
        return pdf_text(handle.read())


@pytest.fixture
def course(alice_org):
    alice_org.contact_email = "kurser@geoskolan.example.org"
    alice_org.save(update_fields=["contact_email"])
    course = CourseFactory(organisation=alice_org, language="en", course_type__title="QGIS basics")
    AttendeeFactory(course=course, name="Zoë Ångström", email="zoe@example.org")
    AttendeeFactory(course=course, name="محمد العلي", email="mohammed@example.org")
    AttendeeFactory(course=course, name="王小明", email="xiaoming@example.org")
    return course


def issue_all(course, alice, django_capture_on_commit_callbacks) -> list[Certificate]:
    attendees = list(course.attendees.order_by("pk"))
    give_credits(course.organisation, len(attendees))
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.issue_certificates(
            course, [(attendee, Certificate.Kind.COMPLETION) for attendee in attendees], by=alice
        )
    return list(Certificate.objects.filter(pk__in=[c.pk for c in issued]).order_by("pk"))


def test_issuing_stores_a_pdf_and_emails_each_attendee(
    course, alice, django_capture_on_commit_callbacks
) -> None:
    certificates = issue_all(course, alice, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 3
    messages = {message.to[0]: message for message in mail.outbox}
    for certificate in certificates:
        assert certificate.pdf_rendered_at is not None
        assert certificate.email_sent_at is not None
        assert certificate.email_error == ""
        assert certificate.code in stored_text(certificate)

        message = messages[certificate.snapshot["email"]]
        assert message.subject == "Your QGIS certificate for “QGIS basics”"
        assert message.from_email == "QGIS Certification <certification@qgis.org>"
        assert message.reply_to == ["kurser@geoskolan.example.org"]
        verify_url = f"http://testserver/verify/{certificate.code}/"
        assert verify_url in message.body
        assert isinstance(message, EmailMultiAlternatives)
        html = message.alternatives[0][0]
        assert isinstance(html, str)
        assert f'href="{verify_url}"' in html
        assert f"Hello {certificate.snapshot['name']}," in message.body
        [(filename, content, mimetype)] = message.attachments
        assert filename == f"QGIS-certificate-{certificate.code}.pdf"
        assert mimetype == "application/pdf"
        assert certificate.code in pdf_text(content)


def owner_of(course):
    """Only its organisation's owners and managers issue a course's certificates."""
    return MembershipFactory(organisation=course.organisation).user


def test_the_email_is_in_the_certificates_language(django_capture_on_commit_callbacks):
    course = CourseFactory(language="sv")
    AttendeeFactory(course=course, name="Sven Svensson")

    issue_all(course, owner_of(course), django_capture_on_commit_callbacks)

    assert "Hej Sven Svensson," in mail.outbox[0].body


def test_without_a_contact_email_there_is_no_reply_to(django_capture_on_commit_callbacks):
    course = CourseFactory(organisation__contact_email="", language="en")
    AttendeeFactory(course=course)

    issue_all(course, owner_of(course), django_capture_on_commit_callbacks)

    assert mail.outbox[0].reply_to == []
    assert "Reply to this email" not in mail.outbox[0].body


@override_settings(MAILERS=FLAKY, EMAIL_TASK_MAX_ATTEMPTS=3)
def test_a_failed_delivery_is_retried_by_core_and_the_success_recorded(
    course, alice, django_capture_on_commit_callbacks
) -> None:
    FlakyEmailBackend.failures_left, FlakyEmailBackend.attempts = 1, 0
    course.attendees.exclude(email="zoe@example.org").delete()

    [certificate] = issue_all(course, alice, django_capture_on_commit_callbacks)

    assert certificate.pdf  # rendering does not depend on the mail server
    # core's deliver_email tried again, got through, and the certificate knows it.
    assert FlakyEmailBackend.attempts == 2
    assert certificate.email_sent_at is not None
    assert certificate.email_error == ""
    [message] = mail.outbox
    assert message.to == ["zoe@example.org"]
    assert message.attachments[0][0] == f"QGIS-certificate-{certificate.code}.pdf"


@override_settings(MAILERS=FLAKY, EMAIL_TASK_MAX_ATTEMPTS=2)
def test_a_mail_server_that_stays_down_leaves_the_problem_recorded(
    course, alice, django_capture_on_commit_callbacks
) -> None:
    FlakyEmailBackend.failures_left, FlakyEmailBackend.attempts = 10, 0

    certificates = issue_all(course, alice, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert all(certificate.email_error for certificate in certificates)
    assert all(certificate.email_sent_at is None for certificate in certificates)


def test_running_the_task_again_sends_nothing_twice(
    course, alice, django_capture_on_commit_callbacks
) -> None:
    certificates = issue_all(course, alice, django_capture_on_commit_callbacks)
    files = [certificate.pdf.name for certificate in certificates]

    tasks.render_and_deliver.enqueue([certificate.pk for certificate in certificates])

    assert len(mail.outbox) == 3
    assert [c.pdf.name for c in Certificate.objects.order_by("pk")] == files


def test_a_revocation_renders_the_pdf_again_and_deletes_the_old_one(
    course, alice, rita, django_capture_on_commit_callbacks
) -> None:
    certificate, *_others = issue_all(course, alice, django_capture_on_commit_callbacks)
    old_file = certificate.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_certificate(certificate, by=rita, reason="Issued to the wrong person.")

    certificate.refresh_from_db()
    assert old_file
    assert certificate.pdf.name != old_file
    assert not default_storage.exists(old_file)
    assert "REVOKED" in stored_text(certificate)
    assert len(mail.outbox) == 3  # a revocation sends no certificate


def test_a_pdf_rendered_before_a_revocation_is_thrown_away() -> None:
    certificate = CertificateFactory(attendee__course__language="en")
    stale = Certificate.objects.select_related("course__organisation").get(pk=certificate.pk)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.REVOKED, revoked_at=certificate.issued_at
    )

    stored = tasks.store_pdf(stale, b"%PDF-1.7 rendered while valid")

    assert stored is False
    certificate.refresh_from_db()
    assert not certificate.pdf
    assert stale.status == Certificate.Status.REVOKED


def test_a_revoked_certificate_is_rendered_but_not_emailed() -> None:
    certificate = CertificateFactory(revoked=True, attendee__course__language="en")

    tasks.render_and_deliver.enqueue([certificate.pk])

    certificate.refresh_from_db()
    assert "REVOKED" in stored_text(certificate)
    assert certificate.email_sent_at is None
    assert mail.outbox == []


def test_resending_emails_the_stored_pdf_again(
    course, alice, django_capture_on_commit_callbacks
) -> None:
    certificate, *_others = issue_all(course, alice, django_capture_on_commit_callbacks)
    rendered_at = certificate.pdf_rendered_at

    tasks.resend_certificate.enqueue(certificate.pk)

    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == [certificate.snapshot["email"]]
    certificate.refresh_from_db()
    assert certificate.pdf_rendered_at == rendered_at  # rendered once, stored
    assert certificate.email_sent_at is not None


def test_resending_renders_a_missing_pdf_first() -> None:
    certificate = CertificateFactory(attendee__course__language="en")

    tasks.resend_certificate.enqueue(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.pdf
    assert certificate.pdf_rendered_at
    assert len(mail.outbox) == 1


def test_a_revoked_certificate_is_not_resent() -> None:
    certificate = CertificateFactory(revoked=True)

    tasks.resend_certificate.enqueue(certificate.pk)

    assert mail.outbox == []


def test_large_courses_are_rendered_in_chunks(monkeypatch) -> None:
    monkeypatch.setattr(tasks, "CHUNK_SIZE", 2)
    course = CourseFactory(language="en")
    certificates = [CertificateFactory(attendee__course=course) for _ in range(5)]
    batches = []

    def counting(batch):
        batches.append(len(batch))
        return rendering.render_certificates_pdf(batch)

    monkeypatch.setattr(tasks, "render_certificates_pdf", counting)

    rendered = tasks.render_certificates.enqueue([c.pk for c in certificates])

    assert batches == [2, 2, 1]
    assert rendered.return_value == 5
    assert all(c.pdf for c in Certificate.objects.all())
