"""Factories for applications and what they hold, and small files for upload tests.

Two kinds of applications, for two kinds of tests:

- *Written directly* (`ApplicationFactory`, `complete_application`, `submitted_application`,
  `in_community_review`): the rows as the services would leave them, for the tests of pages
  and of one service, which need an application *as it would be* at some step.
- *Made through the services* (`draft_through_services`, `submitted_through_services`,
  `in_initial_review_through_services`): an applicant and a reviewer going through the real
  workflow, for the tests of the workflow itself, with every audit event and snapshot the
  services write.

Course types and their material have their factories in `certification.training.tests.factories`.
"""

import io
import zipfile
from datetime import timedelta
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory
from certification.applications import services
from certification.applications.models import (
    Application,
    Contribution,
    Decision,
    Message,
    OpinionRequest,
    ReviewerInvitation,
    Snapshot,
    Status,
    UserGroup,
)
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import CourseMaterial, CourseType
from certification.training.tests.factories import PDF, CourseMaterialFactory, CourseTypeFactory


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


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default; with another `status=` it has been submitted once, in round 1."""

    class Meta:
        model = Application

    organisation = factory.SubFactory(
        OrganisationFactory, status=Organisation.Status.APPLICANT, certified_at=None
    )
    status = Status.DRAFT
    review_round = factory.LazyAttribute(lambda a: 0 if a.status == Status.DRAFT else 1)
    submitted_at = factory.LazyAttribute(
        lambda a: None if a.status == Status.DRAFT else timezone.now()
    )
    declaration_accepted_at = factory.LazyAttribute(
        lambda a: None if a.status == Status.DRAFT else timezone.now()
    )


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    application = factory.SubFactory(ApplicationFactory)
    category = Contribution.Category.TRANSLATION
    description = factory.Sequence(lambda n: f"Translated part {n} of the QGIS user manual.")
    start_year = 2019
    evidence_links = factory.LazyFunction(lambda: ["https://example.org/translation"])


class UserGroupFactory(factory.django.DjangoModelFactory):
    """A user group for Sweden; pass `reviewers=[...]` to give it reviewers."""

    class Meta:
        model = UserGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"QGIS User Group {n}")
    slug = factory.Sequence(lambda n: f"qgis-user-group-{n}")
    countries = factory.LazyFunction(lambda: ["SE"])

    # factory_boy is read as Any (pyproject.toml), so its decorators are untyped.
    @factory.post_generation  # type: ignore[untyped-decorator]
    def reviewers(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.reviewers.set(extracted)


class OpinionRequestFactory(factory.django.DjangoModelFactory):
    """An opinion asked of a user group in the application's current round, not given yet."""

    class Meta:
        model = OpinionRequest

    application = factory.SubFactory(ApplicationFactory, status=Status.COMMUNITY_REVIEW)
    user_group = factory.SubFactory(UserGroupFactory)
    round = factory.LazyAttribute(lambda o: o.application.review_round)
    requested_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ReviewerInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerInvitation

    opinion_request = factory.SubFactory(OpinionRequestFactory)
    email = "olga@example.net"
    name = "Olga Outside"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class MessageFactory(factory.django.DjangoModelFactory):
    """A comment signed "Rita Reviewer"; pass `author=` to sign it with a person's name."""

    class Meta:
        model = Message

    application = factory.SubFactory(ApplicationFactory)
    author = None
    author_label = factory.LazyAttribute(
        lambda o: o.author.get_full_name() if o.author else "Rita Reviewer"
    )
    kind = Message.Kind.COMMENT
    body = factory.Sequence(lambda n: f"Message number {n}.")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, status=Status.APPROVED)
    outcome = Decision.Outcome.APPROVE
    rationale = "Strong contributions and good material."


class SnapshotFactory(factory.django.DjangoModelFactory):
    """A first submitted version, with an evidence "link" that is no web address."""

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
            "training_activity": "The first description of our courses.",
            "contributions": [
                {
                    "category": "translation",
                    "category_label": "Translation",
                    "description": "Swedish translation of the manual.",
                    "period": "2019–",
                    "evidence_links": ["https://example.org/first", "javascript:alert(1)"],
                }
            ],
            "course_types": [
                {
                    "title": "QGIS basics, first version",
                    "description": "Maps.",
                    "learning_outcomes": "Load data",
                    "hours": 7,
                    "qgis_version": "3.34 LTR",
                    "languages": ["sv"],
                    "materials": [
                        {
                            "kind": "lecture",
                            "title": "Day 1 slides",
                            "file": "slides.pdf",
                            "size": len(PDF),
                            "url": "",
                        }
                    ],
                }
            ],
        }
    )


def complete_application(
    organisation: Organisation | None = None, *, by: User | None = None, **fields: Any
) -> Application:
    """An application with everything the programme asks for: a contribution, a course type
    with material, the declaration. A draft that can be submitted as it is, unless `status=`
    says it is further on; other `fields` go to the ApplicationFactory."""
    if organisation is not None:
        fields["organisation"] = organisation
    fields.setdefault(
        "training_activity", "Two-day QGIS courses for municipalities, ten times a year."
    )
    application = ApplicationFactory(
        created_by=by,
        declaration_accepted_at=timezone.now(),
        declaration_accepted_by=by,
        **fields,
    )
    ContributionFactory(application=application)
    course_type = CourseTypeFactory(organisation=application.organisation, application=application)
    CourseMaterialFactory(course_type=course_type)
    return application


def submitted_application(**fields: Any) -> Application:
    """A complete application, submitted unless `status=` says otherwise, holding what the
    reviewers' pages must render with care: markdown, an evidence "link" that is no web address,
    and material both uploaded and linked."""
    fields.setdefault("status", Status.SUBMITTED)
    fields.setdefault(
        "training_activity", "Two-day **QGIS** courses for municipalities, ten times a year."
    )
    application = complete_application(**fields)
    ContributionFactory(
        application=application,
        description="Translation of the QGIS manual, the chapters on printing.",
        evidence_links=["https://example.org/evidence", "javascript:alert('x')"],
    )
    CourseMaterialFactory(course_type=application.course_types.get(), link=True)
    return application


def in_community_review(*, groups: list[UserGroup], **fields: Any) -> Application:
    """An application waiting for the opinions of `groups`, as send_to_community_review leaves it."""
    due = timezone.now() + timedelta(days=30)
    application = submitted_application(
        status=Status.COMMUNITY_REVIEW, community_due_at=due, **fields
    )
    for group in groups:
        OpinionRequestFactory(application=application, user_group=group, due_at=due)
    return application


# --- Made through the services ----------------------------------------------------------


def draft_through_services(
    owner: User | None = None, *, country: str = "SE", name: str = "Kartakademin AB"
) -> Application:
    """A complete draft started by `owner` (a new person if None), as an applicant fills it
    in: a new organisation `name` in `country`, a contribution, a course type with slides,
    the declaration. It can be submitted as it is."""
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
    """The person who started the application: always someone, for those made here."""
    assert application.created_by is not None
    return application.created_by


def submitted_through_services(owner: User | None = None, **kwargs: Any) -> Application:
    """`draft_through_services(owner, **kwargs)`, submitted by its owner."""
    application = draft_through_services(owner, **kwargs)
    services.submit_application(application, by=owner_of(application))
    application.refresh_from_db()
    return application


def in_initial_review_through_services(
    reviewer: User, owner: User | None = None, **kwargs: Any
) -> Application:
    """`submitted_through_services(owner, **kwargs)`, taken into initial review by `reviewer`."""
    application = submitted_through_services(owner, **kwargs)
    services.start_initial_review(application, by=reviewer)
    application.refresh_from_db()
    return application
