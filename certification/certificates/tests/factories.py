"""Factories for certificates, the course factories they build on (one import for tests),
and the data of issuing: an approved course with attendees, credits, issued certificates.

`CertificateFactory()` is a valid certificate of completion for a new attendee of a new
course, with the snapshot that issuing would have frozen; `CertificateFactory(revoked=True)`
is revoked. Pass `attendee__course=course` to give several certificates one course, and
`attendee__name=...` to choose the printed name. Credits are not spent.

To test issuing itself, the functions below go through `services.issue_certificates`, so
that the tests of both apps (certificates and billing) read the same way:
`course = approved_course(alice_org, attendees=3)`, `issue(course, by=alice)`.
"""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import ledger
from certification.certificates import services
from certification.certificates.models import Certificate
from certification.certificates.printing import printed_fields_for
from certification.organisations.models import Organisation
from certification.training.models import Attendee, Course, CourseType
from certification.training.tests.factories import (
    PDF,
    AttendeeFactory,
    CourseFactory,
    TrainerFactory,
    TrainingCentreFactory,
)

__all__ = [
    "PDF",
    "AttendeeFactory",
    "CertificateFactory",
    "CourseFactory",
    "TrainerFactory",
    "TrainingCentreFactory",
    "add_attendees",
    "approved_course",
    "attendees_of",
    "delivered",
    "give_credits",
    "issue",
]


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    class Params:
        revoked = factory.Trait(
            status=Certificate.Status.REVOKED,
            revoked_at=factory.LazyFunction(timezone.now),
            revocation_reason="Issued to the wrong attendee.",
        )

    attendee = factory.SubFactory(AttendeeFactory)
    course = factory.SelfAttribute("attendee.course")
    kind = Certificate.Kind.COMPLETION
    snapshot = factory.LazyAttribute(
        lambda o: printed_fields_for(
            o.course, o.attendee, o.kind, [trainer.name for trainer in o.course.trainers.all()]
        )
    )


# --- Issuing through the service -------------------------------------------------------


def approved_course(
    organisation: Organisation,
    *,
    attendees: int = 3,
    trainer_user: User | None = None,
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
    ledger.adjust_credits(organisation, by=None, amount=amount, reason="Test credits")


def issue(
    course: Course, attendees: list[Attendee] | None = None, *, kind: str = "completion", by: User
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
