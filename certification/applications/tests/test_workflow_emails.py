"""Every email of the workflow, in English and in Swedish, through the outbox."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from certification.accounts.models import User
from certification.applications import notifications, services
from certification.applications.models import Decision, Message
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_initial_review_through_services,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rita, ugo, paula):
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)
    application.refresh_from_db()
    invitation = services.invite_outside_reviewer(
        opinion_request, by=rita, email="eva@example.org", name="Eva"
    )
    decision = Decision(application=application, outcome="approve", rationale="Good.")
    message = Message(application=application, author=rita, author_label="Rita", body="A question.")
    return {
        "application": application,
        "opinion_request": opinion_request,
        "invitation": invitation,
        "decision": decision,
        "message": message,
        "rita": rita,
    }


EMAILS: dict[str, Callable[[dict], None]] = {
    "submitted": lambda w: notifications.application_submitted(w["application"]),
    "withdrawn": lambda w: notifications.application_withdrawn(w["application"], reason="Later."),
    "changes_requested": lambda w: notifications.changes_requested(
        w["application"], message="Fix it."
    ),
    "no_user_group": lambda w: notifications.no_user_group(w["application"]),
    "opinion_requested": lambda w: notifications.opinion_requested(w["opinion_request"]),
    "opinion_reminder": lambda w: notifications.opinion_reminder(w["opinion_request"], days_left=7),
    "opinion_given": lambda w: notifications.opinion_given(w["opinion_request"]),
    "outside_reviewer": lambda w: notifications.outside_reviewer_invited(
        w["invitation"], token="t"
    ),
    "psc_review": lambda w: notifications.psc_review_started(
        w["application"], reason="opinions_overdue"
    ),
    "approved": lambda w: notifications.decision_recorded(w["application"], w["decision"]),
    "rejected": lambda w: notifications.decision_recorded(
        w["application"], Decision(application=w["application"], outcome="reject", rationale="No.")
    ),
    "message": lambda w: notifications.message_posted(w["message"]),
    "expiry_warning": lambda w: notifications.expiry_warning(
        w["application"], expires_at=timezone.now() + timedelta(days=7)
    ),
    "expired": lambda w: notifications.application_expired(w["application"]),
    "member_invited": lambda w: _invite_member(w),
    "organisation_suspended": lambda w: _suspend(w),
    "course_type_proposed": lambda w: _propose_course_type(w),
    "course_type_reviewed": lambda w: _review_course_type(w),
}


def _certified_organisation(world: dict):
    from certification.organisations.models import Organisation

    organisation = world["application"].organisation
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.CERTIFIED)
    organisation.refresh_from_db()
    return organisation


def _invite_member(world: dict) -> None:
    from certification.organisations.services import invite_member

    with translation.override(User.objects.first().preferred_language):
        invite_member(
            world["application"].organisation,
            by=world["application"].created_by,
            email="new.member@example.org",
            role="trainer",
        )


def _suspend(world: dict) -> None:
    from certification.organisations.services import change_status

    organisation = _certified_organisation(world)
    change_status(organisation, by=world["rita"], status="suspended", reason="Unpaid invoices.")


def _new_course_type(world: dict, status: str):
    from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

    course_type = CourseTypeFactory(organisation=_certified_organisation(world), status=status)
    CourseMaterialFactory(course_type=course_type, link=True)
    return course_type


def _propose_course_type(world: dict) -> None:
    from certification.training.services import propose_course_type

    propose_course_type(_new_course_type(world, "draft"), by=world["application"].created_by)


def _review_course_type(world: dict) -> None:
    from certification.training.services import review_course_type

    review_course_type(
        _new_course_type(world, "proposed"), by=world["rita"], approve=False, comment="Too short."
    )


def _send(world: dict, name: str, language: str, capture) -> list:
    User.objects.update(preferred_language=language)
    for key in ("application", "opinion_request", "invitation", "message"):
        world[key].refresh_from_db() if getattr(world[key], "pk", None) else None
    world["invitation"].opinion_request.user_group.reviewers.update(preferred_language=language)
    mail.outbox.clear()
    world["invitation"].language = language
    with capture(execute=True):
        EMAILS[name](world)
    return list(mail.outbox)


@pytest.mark.parametrize("name", list(EMAILS))
def test_each_workflow_email_is_written_in_english_and_swedish(
    world, name, django_capture_on_commit_callbacks
) -> None:
    english = _send(world, name, "en", django_capture_on_commit_callbacks)
    swedish = _send(world, name, "sv", django_capture_on_commit_callbacks)

    assert english, f"{name} sent nothing"
    assert len(english) == len(swedish)
    for en, sv in zip(english, swedish, strict=True):
        assert en.to == sv.to
        assert en.from_email == "QGIS Certification <certification@qgis.org>"
        assert en.body.startswith("Hello")
        assert sv.body.startswith("Hej")
        assert en.subject != sv.subject, f"{name}: the subject is not translated: {sv.subject}"
        assert "http://testserver/" in en.body or name in {"withdrawn", "opinion_given_no_link"}
        html = sv.alternatives[0][0]
        assert sv.subject.split(":")[0] in html or "Hej" in html
