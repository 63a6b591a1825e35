"""Factories for applications and what they hold, and small files for upload tests.

Course types and their material have their factories in `certification.training.tests.factories`.
"""

import io
import zipfile
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

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
    organisation: Organisation | None = None, *, by: Any = None, **fields: Any
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
