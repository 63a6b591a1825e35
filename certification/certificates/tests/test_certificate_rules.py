"""certificates/rules.py: who may see, issue, re-issue, resend and revoke certificates."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.certificates.models import Certificate
from certification.certificates.rules import issue_blocked_reason
from certification.certificates.tests.factories import approved_course, attendees_of, issue
from certification.organisations.models import Organisation
from certification.training.models import CourseType

pytestmark = pytest.mark.django_db

PERSONAS = ["alice", "maria", "bob", "carol", "rita", "tom", "ugo", "paula"]


@pytest.fixture
def certificate(alice_org: Organisation, alice: User, bob: User) -> Certificate:
    course = approved_course(alice_org, attendees=1, trainer_user=bob)
    [certificate] = issue(course, attendees_of(course), by=alice)
    return certificate


def who_may(request: pytest.FixtureRequest, action: str, obj: object) -> set[str]:
    return {name for name in PERSONAS if can(request.getfixturevalue(name), action, obj)}


def test_owners_managers_the_course_trainers_and_the_team_see_the_certificates(
    request: pytest.FixtureRequest, certificate: Certificate
) -> None:
    expected = {"alice", "maria", "bob", "rita"}
    assert who_may(request, "certificate.list", certificate.course) == expected
    assert who_may(request, "certificate.view", certificate) == expected


def test_only_owners_and_managers_issue_and_reissue(
    request: pytest.FixtureRequest, certificate: Certificate
) -> None:
    assert who_may(request, "certificate.issue", certificate.course) == {"alice", "maria"}
    assert who_may(request, "certificate.reissue", certificate) == {"alice", "maria"}


def test_those_who_see_the_course_resend_but_not_the_team(
    request: pytest.FixtureRequest, certificate: Certificate
) -> None:
    assert who_may(request, "certificate.resend", certificate) == {"alice", "maria", "bob"}


def test_the_organisation_revokes_within_the_window_and_the_team_always(
    request: pytest.FixtureRequest, certificate: Certificate
) -> None:
    deadline = certificate.revocation_deadline

    with time_machine.travel(deadline, tick=False):
        assert who_may(request, "certificate.revoke", certificate) == {"alice", "maria", "rita"}
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert who_may(request, "certificate.revoke", certificate) == {"rita"}


def test_only_the_team_finds_any_certificate(request: pytest.FixtureRequest) -> None:
    assert who_may(request, "certificate.find", None) == {"rita"}


def test_anonymous_visitors_may_do_nothing(certificate: Certificate) -> None:
    for action in ("certificate.view", "certificate.resend", "certificate.revoke"):
        assert not can(AnonymousUser(), action, certificate)


def test_certificates_are_issued_only_for_an_approved_type_of_a_certified_organisation(
    alice_org: Organisation,
) -> None:
    course = approved_course(alice_org, attendees=0)
    assert issue_blocked_reason(course) == ""

    course.course_type.status = CourseType.Status.PROPOSED
    assert issue_blocked_reason(course) == (
        "Certificates are issued only for courses of an approved type."
    )

    alice_org.status = Organisation.Status.SUSPENDED
    assert issue_blocked_reason(course) == "Only a certified organisation issues certificates."
