import factory
from django.core.files.base import ContentFile

from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import CourseMaterial, CourseType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CourseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseType

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"QGIS course {n}")
    description = "Maps, layers and styles."
    learning_outcomes = "Load data\nStyle layers\nPrint a map"
    hours = 14
    qgis_version = "3.40 LTR"
    languages = factory.LazyFunction(lambda: ["sv", "en"])
    status = CourseType.Status.DRAFT


class LinkMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseMaterial

    course_type = factory.SubFactory(CourseTypeFactory)
    kind = CourseMaterial.Kind.EXERCISE
    title = factory.Sequence(lambda n: f"Exercise {n}")
    url = factory.Sequence(lambda n: f"https://example.org/exercises/{n}")


class FileMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseMaterial

    course_type = factory.SubFactory(CourseTypeFactory)
    kind = CourseMaterial.Kind.LECTURE
    title = factory.Sequence(lambda n: f"Lecture {n}")
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="slides.pdf"))
    original_name = "slides.pdf"
    file_type = "pdf"
    size = len(PDF)
