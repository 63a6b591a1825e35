"""Applications as the reviewers' workspace receives them, built directly.

The services are tested on their own; these tests need an application *as it would be* in
community review or PSC review, so the rows are written as those services leave them. The
factories themselves are in `certification.applications.tests.factories`.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from certification.applications.models import Application, Status, UserGroup
from certification.applications.tests.factories import (
    ContributionFactory,
    OpinionRequestFactory,
    complete_application,
)
from certification.training.tests.factories import CourseMaterialFactory


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
