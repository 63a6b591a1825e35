"""Factories for the reviewers' workspace tests: applications in any state, built directly.

The services are tested on their own; these tests need an application *as it would be* in
community review or PSC review, so the rows are written as those services leave them.
"""

import sys
import types
from datetime import timedelta
from typing import Any

import factory
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from certification.accounts.tests.factories import UserFactory
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


class ApplicantOrganisationFactory(OrganisationFactory):
    status = Organisation.Status.APPLICANT
    certified_at = None


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organisation = factory.SubFactory(ApplicantOrganisationFactory)
    status = Status.SUBMITTED
    review_round = 1
    training_activity = "Two-day **QGIS** courses for municipalities, ten times a year."
    submitted_at = factory.LazyFunction(timezone.now)
    declaration_accepted_at = factory.LazyFunction(timezone.now)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    application = factory.SubFactory(ApplicationFactory)
    category = Contribution.Category.TRANSLATION
    description = factory.Sequence(lambda n: f"Translation of the QGIS manual, part {n}.")
    start_year = 2019
    evidence_links = factory.LazyFunction(lambda: ["https://example.org/translation"])


class CourseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseType

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"QGIS for beginners {n}")
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
    url = "https://example.org/exercises"


class FileMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseMaterial

    course_type = factory.SubFactory(CourseTypeFactory)
    kind = CourseMaterial.Kind.LECTURE
    title = factory.Sequence(lambda n: f"Day {n} slides")
    file = factory.django.FileField(filename="slides.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "slides.pdf"
    file_type = "pdf"
    size = 15


class UserGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"QGIS User Group {n}")
    slug = factory.Sequence(lambda n: f"qgis-user-group-{n}")
    countries = factory.LazyFunction(lambda: ["SE"])

    @factory.post_generation
    def reviewers(self, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.reviewers.set(extracted)


class OpinionRequestFactory(factory.django.DjangoModelFactory):
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
    class Meta:
        model = Message

    application = factory.SubFactory(ApplicationFactory)
    author = factory.SubFactory(UserFactory)
    author_label = factory.LazyAttribute(lambda o: o.author.get_full_name())
    kind = Message.Kind.COMMENT
    body = factory.Sequence(lambda n: f"Message number {n}.")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, status=Status.APPROVED)
    outcome = Decision.Outcome.APPROVE
    rationale = "Strong contributions and good material."


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot

    application = factory.SubFactory(ApplicationFactory)
    round = 1
    data = factory.LazyFunction(
        lambda: {
            "organisation": {"legal_name": "Kartakademin AB", "country": "SE"},
            "training_activity": "The first description of our courses.",
            "contributions": [
                {
                    "category": "translation",
                    "category_label": "Translation",
                    "description": "Swedish translation.",
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
                            "title": "Slides",
                            "file": "old.pdf",
                            "size": 1,
                            "url": "",
                        }
                    ],
                }
            ],
        }
    )


def complete_application(**kwargs: Any) -> Application:
    """An application with what a submission holds: a contribution, a course type, material."""
    application = ApplicationFactory(**kwargs)
    ContributionFactory(
        application=application,
        evidence_links=["https://example.org/evidence", "javascript:alert('x')"],
    )
    course_type = CourseTypeFactory(organisation=application.organisation)
    application.course_types.add(course_type)
    FileMaterialFactory(course_type=course_type)
    LinkMaterialFactory(course_type=course_type)
    return application


def in_community_review(*, groups: list[UserGroup], **kwargs: Any) -> Application:
    """An application waiting for the opinions of `groups`, as send_to_community_review leaves it."""
    due = timezone.now() + timedelta(days=30)
    application = complete_application(
        status=Status.COMMUNITY_REVIEW, community_due_at=due, **kwargs
    )
    for group in groups:
        OpinionRequestFactory(application=application, user_group=group, due_at=due)
    return application


# --- A stand-in for the applicant's pages -------------------------------------------------
#
# The notifications link to "applications:detail" (and the reviewer page to
# "applications:material"). Those pages are built alongside this workspace; until their URLs
# exist, the tests route these names to a stand-in so the services can send their emails.


def _stand_in(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(b"applicant page stand-in")


STAND_IN_URLCONF = "certification.applications.tests.review_factories_urls"


def _build_stand_in_urlconf() -> None:
    stand_ins = [
        path("apply/", _stand_in, name="apply"),
        path("applications/<str:code>/", _stand_in, name="detail"),
        path("applications/<str:code>/material/<uuid:public_id>/", _stand_in, name="material"),
    ]
    module = types.ModuleType(STAND_IN_URLCONF)
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("", include((stand_ins, "applications"))),
        path("", include("certification.urls")),
    ]
    sys.modules[STAND_IN_URLCONF] = module


def stand_in_for_applicant_pages(settings: Any) -> None:
    """Use the stand-in URLs only while the real applicant pages do not exist yet."""
    try:
        reverse("applications:detail", args=["APP-TEST"])
        return
    except NoReverseMatch:
        pass
    if STAND_IN_URLCONF not in sys.modules:
        _build_stand_in_urlconf()
    settings.ROOT_URLCONF = STAND_IN_URLCONF
