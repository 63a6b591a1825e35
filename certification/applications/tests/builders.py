"""Applications built through the real services, as an applicant would build them."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory
from certification.applications import services
from certification.applications.models import Application, Contribution, UserGroup
from certification.training.models import CourseMaterial, CourseType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def complete_draft(
    owner: Any = None, *, country: str = "SE", name: str = "Kartakademin AB"
) -> Application:
    owner = owner or UserFactory()
    application = services.start_application(
        by=owner,
        details={
            "legal_name": name,
            "country": country,
            "address": "Kartvägen 1, Uppsala",
            "website": "https://kartakademin.example.org",
            "contact_email": "info@kartakademin.example.org",
        },
    )
    application.training_activity = "Two-day QGIS courses for municipalities, ten times a year."
    application.save(update_fields=["training_activity"])
    services.save_contribution(
        application,
        Contribution(
            category=Contribution.Category.TRANSLATION,
            description="Swedish translation of the QGIS user manual.",
            start_year=2019,
            evidence_links=["https://example.org/translation"],
        ),
        by=owner,
    )
    course_type = CourseType(
        title="QGIS for beginners",
        description="Maps, layers and styles.",
        learning_outcomes="Load data\nStyle layers\nPrint a map",
        hours=14,
        qgis_version="3.40 LTR",
        languages=["sv", "en"],
    )
    services.save_course_type(application, course_type, by=owner)
    services.add_material(
        application,
        course_type,
        by=owner,
        kind=CourseMaterial.Kind.LECTURE,
        title="Day 1 slides",
        upload=SimpleUploadedFile("slides.pdf", PDF, content_type="application/pdf"),
    )
    services.accept_declaration(application, by=owner)
    return application


def owner_of(application: Application) -> User:
    """The person who started the application: always someone, for those built here."""
    assert application.created_by is not None
    return application.created_by


def submitted(owner: Any = None, **kwargs: Any) -> Application:
    application = complete_draft(owner, **kwargs)
    services.submit_application(application, by=owner_of(application))
    application.refresh_from_db()
    return application


def in_initial_review(reviewer: Any, owner: Any = None, **kwargs: Any) -> Application:
    application = submitted(owner, **kwargs)
    services.start_initial_review(application, by=reviewer)
    application.refresh_from_db()
    return application


def user_group(countries: list[str], reviewers: list[Any], name: str = "QGIS Sverige") -> UserGroup:
    group = UserGroup.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        countries=countries,  # type: ignore[misc]  # a multiple CountryField takes a list
    )
    group.reviewers.set(reviewers)
    return group
