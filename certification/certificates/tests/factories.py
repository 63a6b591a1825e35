"""Factories for certificates, and the course factories they build on (one import for tests).

`CertificateFactory()` is a valid certificate of completion for a new attendee of a new
course, with the snapshot that issuing would have frozen; `CertificateFactory(revoked=True)`
is revoked. Pass `attendee__course=course` to give several certificates one course, and
`attendee__name=...` to choose the printed name. Credits are not spent: to test issuing
itself, go through `services.issue_certificates` (see `issuing.py`).
"""

import factory
from django.utils import timezone

from certification.certificates.models import Certificate
from certification.certificates.printing import printed_fields_for
from certification.training.tests.factories import (
    AttendeeFactory,
    CourseFactory,
    TrainerFactory,
    TrainingCentreFactory,
)

__all__ = [
    "AttendeeFactory",
    "CertificateFactory",
    "CourseFactory",
    "TrainerFactory",
    "TrainingCentreFactory",
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
