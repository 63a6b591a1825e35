"""Factories for the training app: course types and their material, training centres,
trainers, courses and attendees (and `give_certificate`, without importing certificates)."""

import datetime
from decimal import Decimal
from typing import Any

from factory.declarations import (
    LazyAttribute,
    LazyFunction,
    Maybe,
    SelfAttribute,
    Sequence,
    SubFactory,
    Trait,
)
from factory.django import DjangoModelFactory, FileField
from factory.helpers import post_generation

from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import (
    Attendee,
    Course,
    CourseMaterial,
    CourseType,
    Trainer,
    TrainingCentre,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CourseTypeFactory(DjangoModelFactory[CourseType]):
    """A draft course type; pass `application=` to add it to an application as well."""

    class Meta:
        model = CourseType
        skip_postgeneration_save = True

    organisation = SubFactory(OrganisationFactory)
    title = Sequence(lambda n: f"QGIS course {n}")
    description = "Maps, layers and styles."
    learning_outcomes = "Load data\nStyle layers\nPrint a map"
    hours = 14
    qgis_version = "3.40 LTR"
    languages = LazyFunction(lambda: ["sv", "en"])
    status = CourseType.Status.DRAFT

    @post_generation  # type: ignore[untyped-decorator]  # factory_boy does not type it
    def application(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            extracted.course_types.add(self)


class CourseMaterialFactory(DjangoModelFactory[CourseMaterial]):
    """Uploaded slides (a small PDF); `CourseMaterialFactory.create(link=True)` is a link to exercises."""

    class Meta:
        model = CourseMaterial

    class Params:
        link = Trait(
            kind=CourseMaterial.Kind.EXERCISE,
            title=Sequence(lambda n: f"Exercise {n}"),
            file="",
            original_name="",
            file_type="",
            size=0,
            url="https://example.org/exercises",
        )

    course_type = SubFactory(CourseTypeFactory)
    kind = CourseMaterial.Kind.LECTURE
    title = Sequence(lambda n: f"Slides, day {n}")
    file = FileField(data=PDF, filename="slides.pdf")
    original_name = "slides.pdf"
    file_type = "pdf"
    size = len(PDF)


# --- Training centres, trainers, courses and attendees -------------------------------------


class TrainingCentreFactory(DjangoModelFactory[TrainingCentre]):
    class Meta:
        model = TrainingCentre

    organisation = SubFactory(OrganisationFactory)
    name = Sequence(lambda n: f"Training centre {n}")
    address = "Drottninggatan 12"
    city = "Stockholm"
    country = "SE"
    latitude = Decimal("59.332600")
    longitude = Decimal("18.064900")


class TrainerFactory(DjangoModelFactory[Trainer]):
    class Meta:
        model = Trainer

    organisation = SubFactory(OrganisationFactory)
    name = Sequence(lambda n: f"Trainer {n}")
    email = Sequence(lambda n: f"trainer{n}@example.org")


class CourseFactory(DjangoModelFactory[Course]):
    """An upcoming two-day public course of an approved type, at a training centre.

    `CourseFactory.create(trainers=[trainer])` sets its trainers; `online=True` drops the centre.
    """

    class Meta:
        model = Course
        skip_postgeneration_save = True

    organisation = SubFactory(OrganisationFactory)
    course_type = SubFactory(
        CourseTypeFactory,
        organisation=SelfAttribute("..organisation"),
        status=CourseType.Status.APPROVED,
    )
    starts_on = LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))
    ends_on = LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=1))
    language = "sv"
    online = False
    training_centre = Maybe(
        "online",
        yes_declaration=None,
        no_declaration=SubFactory(
            TrainingCentreFactory, organisation=SelfAttribute("..organisation")
        ),
    )
    is_public = True

    @post_generation  # type: ignore[untyped-decorator]  # factory_boy does not type it
    def trainers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.trainers.set(extracted)


class AttendeeFactory(DjangoModelFactory[Attendee]):
    class Meta:
        model = Attendee

    course = SubFactory(CourseFactory)
    name = Sequence(lambda n: f"Attendee Number {n}")
    email = Sequence(lambda n: f"attendee{n}@example.org")


def give_certificate(attendee: Attendee, *, status: str = "valid", kind: str = "completion") -> Any:
    """A certificate for the attendee, made through the reverse relation `certificates`:
    the training app does not import the certificates app, its tests neither."""
    from django.utils import timezone

    return attendee.certificates.create(
        course=attendee.course,
        kind=kind,
        status=status,
        snapshot={"name": attendee.name},
        revoked_at=timezone.now() if status == "revoked" else None,
    )
