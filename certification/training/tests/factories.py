"""Factories for course types and their training material."""

from typing import Any

import factory

from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import CourseMaterial, CourseType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CourseTypeFactory(factory.django.DjangoModelFactory):
    """A draft course type; pass `application=` to add it to an application as well."""

    class Meta:
        model = CourseType
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"QGIS course {n}")
    description = "Maps, layers and styles."
    learning_outcomes = "Load data\nStyle layers\nPrint a map"
    hours = 14
    qgis_version = "3.40 LTR"
    languages = factory.LazyFunction(lambda: ["sv", "en"])
    status = CourseType.Status.DRAFT

    @factory.post_generation
    def application(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            extracted.course_types.add(self)


class CourseMaterialFactory(factory.django.DjangoModelFactory):
    """Uploaded slides (a small PDF); `CourseMaterialFactory(link=True)` is a link to exercises."""

    class Meta:
        model = CourseMaterial

    class Params:
        link = factory.Trait(
            kind=CourseMaterial.Kind.EXERCISE,
            title=factory.Sequence(lambda n: f"Exercise {n}"),
            file="",
            original_name="",
            file_type="",
            size=0,
            url="https://example.org/exercises",
        )

    course_type = factory.SubFactory(CourseTypeFactory)
    kind = CourseMaterial.Kind.LECTURE
    title = factory.Sequence(lambda n: f"Slides, day {n}")
    file = factory.django.FileField(data=PDF, filename="slides.pdf")
    original_name = "slides.pdf"
    file_type = "pdf"
    size = len(PDF)
