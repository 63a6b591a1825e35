"""Factories for applications and what they hold, and small files for upload tests."""

import io
import zipfile
from pathlib import Path
from typing import Any

import factory
import pytest
from django.utils import timezone

from certification.applications.models import Application, Contribution, Message, Snapshot
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import CourseMaterial, CourseType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_file(kind: str) -> bytes:
    """A tiny but real OpenDocument text (`odt`) or Word (`docx`) file: a zip with the markers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded material goes to a temporary folder that is removed after the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }
    return tmp_path


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organisation = factory.SubFactory(
        OrganisationFactory, status=Organisation.Status.APPLICANT, certified_at=None
    )
    status = Application.Status.DRAFT


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    application = factory.SubFactory(ApplicationFactory)
    category = Contribution.Category.TRANSLATION
    description = factory.Sequence(lambda n: f"Translated part {n} of the QGIS user manual.")
    start_year = 2019
    evidence_links = factory.LazyFunction(lambda: ["https://example.org/translation"])


class CourseTypeFactory(factory.django.DjangoModelFactory):
    """A course type; pass `application=` to add it to an application."""

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

    @factory.post_generation
    def application(self, create: bool, extracted: Application | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            extracted.course_types.add(self)


class CourseMaterialFactory(factory.django.DjangoModelFactory):
    """An uploaded PDF; `CourseMaterialFactory(link=True)` is a link instead."""

    class Meta:
        model = CourseMaterial

    class Params:
        link = factory.Trait(
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


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    application = factory.SubFactory(ApplicationFactory)
    author_label = "Rita Reviewer"
    kind = Message.Kind.COMMENT
    body = factory.Sequence(lambda n: f"Message number {n}.")


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot

    application = factory.SubFactory(ApplicationFactory)
    round = 1
    data = factory.LazyAttribute(
        lambda snapshot: {
            "organisation": {
                "legal_name": snapshot.application.organisation.legal_name,
                "country": "SE",
                "address": "Storgatan 1",
                "website": "https://example.org",
                "contact_email": "info@example.org",
                "vat_number": "",
            },
            "training_activity": "Courses for municipalities.",
            "contributions": [
                {
                    "category": "translation",
                    "category_label": "Translation",
                    "description": "Swedish translation of the manual.",
                    "period": "2019–",
                    "evidence_links": ["https://example.org/translation"],
                }
            ],
            "course_types": [
                {
                    "title": "QGIS for beginners",
                    "description": "Maps.",
                    "learning_outcomes": "Load data",
                    "hours": 14,
                    "qgis_version": "3.40 LTR",
                    "languages": ["sv"],
                    "materials": [
                        {
                            "kind": "lecture",
                            "title": "Day 1 slides",
                            "file": "slides.pdf",
                            "size": 40,
                            "url": "",
                        }
                    ],
                }
            ],
        }
    )


def complete_application(
    organisation: Organisation, *, by: Any = None, **fields: Any
) -> Application:
    """A draft with everything the programme asks for: it can be submitted as it is."""
    application = ApplicationFactory(
        organisation=organisation,
        created_by=by,
        training_activity="Two-day QGIS courses for municipalities, ten times a year.",
        declaration_accepted_at=timezone.now(),
        declaration_accepted_by=by,
        **fields,
    )
    ContributionFactory(application=application)
    course_type = CourseTypeFactory(organisation=organisation, application=application)
    CourseMaterialFactory(course_type=course_type)
    return application
