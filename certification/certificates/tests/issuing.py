"""Test data for issuing: an approved course with attendees, credits, issued certificates.

Plain functions, so that the test modules of both apps (certificates and billing) read the
same way: `course = approved_course(alice_org, attendees=3)`.
"""

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from certification.billing import ledger as billing
from certification.certificates import services
from certification.certificates.models import Certificate
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course, CourseType
from certification.training.tests.factories import AttendeeFactory, CourseFactory, TrainerFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def approved_course(
    organisation: Organisation,
    *,
    attendees: int = 3,
    trainer_user: Any = None,
    course_type_status: str = CourseType.Status.APPROVED,
) -> Course:
    """A course of an approved type (unless told otherwise) with attendees 001, 002, …"""
    course = CourseFactory(
        organisation=organisation,
        course_type__title="QGIS basics",
        course_type__status=course_type_status,
        language="en",
    )
    if trainer_user is not None:
        course.trainers.add(
            TrainerFactory(organisation=organisation, name=trainer_user.name, user=trainer_user)
        )
    add_attendees(course, attendees)
    return course


def add_attendees(course: Course, count: int, *, start: int = 0) -> list[Attendee]:
    return [
        AttendeeFactory(course=course, name=f"Attendee {number:03d}")
        for number in range(start + 1, start + count + 1)
    ]


def attendees_of(course: Course) -> list[Attendee]:
    return list(course.attendees.order_by("name", "pk"))


def give_credits(organisation: Organisation, amount: int) -> None:
    billing.adjust_credits(organisation, by=None, amount=amount, reason="Test credits")


def issue(
    course: Course, attendees: list[Attendee] | None = None, *, kind: str = "completion", by: Any
) -> list[Certificate]:
    """Certificates issued through the service, paid with credits given for them."""
    chosen = attendees if attendees is not None else attendees_of(course)
    give_credits(course.organisation, len(chosen))
    return services.issue_certificates(course, [(a, kind) for a in chosen], by=by)


def delivered(certificate: Certificate, *, email_error: str = "") -> Certificate:
    """The state after the background task: a PDF in storage and the email sent (or not)."""
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(PDF), save=False)
    certificate.pdf_rendered_at = timezone.now()
    if email_error:
        certificate.email_error = email_error
    else:
        certificate.email_sent_at = timezone.now()
    certificate.save(update_fields=["pdf", "pdf_rendered_at", "email_sent_at", "email_error"])
    return certificate
