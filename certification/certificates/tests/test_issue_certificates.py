"""services.issue_certificates: all or nothing, one credit each, never twice, never overspent."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.billing import ledger as billing
from certification.billing.models import CreditEntry
from certification.certificates import services
from certification.certificates.models import Certificate
from certification.certificates.services import CertificateError, issue_certificates
from certification.certificates.tests.factories import (
    TrainerFactory,
    approved_course,
    attendees_of,
    give_credits,
)
from certification.core.models import AuditEvent
from certification.core.tests.concurrency import at_once, needs_row_locks
from certification.organisations.models import Organisation
from certification.training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(alice_org: Organisation) -> Course:
    return approved_course(alice_org, attendees=3)


def everyone(course: Course, kind: str = "completion") -> list[tuple[Any, str]]:
    return [(attendee, kind) for attendee in attendees_of(course)]


def test_it_issues_one_certificate_per_attendee_with_what_is_printed(
    course: Course, alice: User, django_capture_on_commit_callbacks
) -> None:
    course.trainers.add(TrainerFactory(organisation=course.organisation, name="Tina T", email=""))
    give_credits(course.organisation, 3)

    with django_capture_on_commit_callbacks() as callbacks:
        issued = issue_certificates(course, everyone(course, "attendance"), by=alice)

    assert len(issued) == 3
    certificate = Certificate.objects.get(attendee=attendees_of(course)[0])
    assert certificate.kind == "attendance"
    assert certificate.issued_by == alice
    assert certificate.snapshot["name"] == "Attendee 001"
    assert certificate.snapshot["course_title"] == "QGIS basics"
    assert certificate.snapshot["trainers"] == ["Tina T"]
    assert certificate.snapshot["organisation"] == "Geoskolan AB"
    assert billing.balance(course.organisation) == 0
    assert CreditEntry.objects.filter(kind="issuance").count() == 3
    assert AuditEvent.objects.filter(action="certificate.issued").count() == 3
    assert AuditEvent.objects.filter(action="course.certificates_issued").count() == 1
    assert len(callbacks) == 1  # one background job delivers the whole batch


def test_it_refuses_to_issue_without_credits(course: Course, alice: User) -> None:
    give_credits(course.organisation, 2)

    with pytest.raises(CertificateError, match=r"3 credits are needed, and 2 are available\."):
        issue_certificates(course, everyone(course), by=alice)

    assert not Certificate.objects.exists()
    assert billing.balance(course.organisation) == 2


def test_the_allowance_lets_the_balance_go_below_zero_as_far_as_it_goes(
    course: Course, alice: User, tom: User
) -> None:
    billing.set_allowance(course.organisation, by=tom, allowance=2)
    first, second, third = attendees_of(course)

    issue_certificates(course, [(first, "completion"), (second, "completion")], by=alice)
    with pytest.raises(CertificateError, match="needed"):
        issue_certificates(course, [(third, "completion")], by=alice)

    assert billing.balance(course.organisation) == -2
    assert billing.spendable(course.organisation) == 0


def test_it_refuses_a_second_certificate_for_the_same_attendee(course: Course, alice: User) -> None:
    give_credits(course.organisation, 5)
    first, second, _third = attendees_of(course)
    issue_certificates(course, [(first, "completion")], by=alice)

    with pytest.raises(CertificateError, match="already have a certificate"):
        issue_certificates(course, [(first, "attendance"), (second, "completion")], by=alice)

    assert Certificate.objects.count() == 1
    assert billing.balance(course.organisation) == 4


@pytest.mark.parametrize(
    ("make_selections", "message"),
    [
        (lambda course: [], "Choose at least one attendee."),
        (lambda course: [(attendees_of(course)[0], "honours")], "completion or attendance"),
        (lambda course: [(attendees_of(course)[0], "completion")] * 2, "chosen once"),
    ],
)
def test_it_refuses_bad_selections(
    course: Course, alice: User, make_selections: Callable[[Course], Any], message: str
) -> None:
    give_credits(course.organisation, 5)

    with pytest.raises(CertificateError, match=message):
        issue_certificates(course, make_selections(course), by=alice)

    assert not Certificate.objects.exists()


def test_it_refuses_attendees_of_another_course(
    course: Course, alice: User, alice_org: Organisation
) -> None:
    other = approved_course(alice_org, attendees=1)
    give_credits(alice_org, 5)

    with pytest.raises(CertificateError, match="must be on this course"):
        issue_certificates(course, everyone(other), by=alice)


def test_only_certified_organisations_issue(
    course: Course, alice: User, alice_org: Organisation
) -> None:
    give_credits(alice_org, 5)
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save(update_fields=["status"])

    with pytest.raises(CertificateError, match="Only a certified organisation"):
        issue_certificates(course, everyone(course), by=alice)


def test_only_courses_of_an_approved_type_get_certificates(
    alice_org: Organisation, alice: User
) -> None:
    course = approved_course(alice_org, attendees=1, course_type_status="retired")
    give_credits(alice_org, 5)

    with pytest.raises(CertificateError, match="approved type"):
        issue_certificates(course, everyone(course), by=alice)


# --- At the same moment -------------------------------------------------------------------


@needs_row_locks("two issuers")
@pytest.mark.django_db(transaction=True)
def test_two_people_issuing_at_once_never_overspend(
    alice_org: Organisation, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PDFs and emails are not what this is about; they would run in these threads.
    monkeypatch.setattr(services, "_start_delivery", lambda ids: None)
    first, second = approved_course(alice_org, attendees=3), approved_course(alice_org, attendees=3)
    give_credits(alice_org, 4)
    batches = [everyone(first), everyone(second)]

    outcomes = at_once(
        *[
            lambda batch=batch, course=course: issue_certificates(course, batch, by=alice)
            for course, batch in zip((first, second), batches, strict=True)
        ]
    )

    issued = [outcome for outcome in outcomes if isinstance(outcome, list)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, CertificateError)]
    assert (len(issued), len(refused)) == (1, 1), outcomes
    assert Certificate.objects.count() == 3
    assert billing.balance(alice_org) == 1
    assert CreditEntry.objects.filter(kind="issuance").count() == 3


@needs_row_locks("two issuers")
@pytest.mark.django_db(transaction=True)
def test_two_people_issuing_to_the_same_attendees_at_once_issue_once(
    alice_org: Organisation, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_start_delivery", lambda ids: None)
    course = approved_course(alice_org, attendees=3)
    give_credits(alice_org, 10)
    batch = everyone(course)

    outcomes = at_once(
        lambda: issue_certificates(course, batch, by=alice),
        lambda: issue_certificates(course, batch, by=alice),
    )

    assert sum(isinstance(outcome, list) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, CertificateError) for outcome in outcomes) == 1, outcomes
    assert Certificate.objects.count() == 3
    assert billing.balance(alice_org) == 7


@pytest.mark.parametrize("persona", ["bob", "carol", "rita"])
def test_only_owners_and_managers_of_the_organisation_issue(
    request: pytest.FixtureRequest, course: Course, persona: str
) -> None:
    give_credits(course.organisation, 3)

    with pytest.raises(PermissionDenied):
        issue_certificates(course, everyone(course), by=request.getfixturevalue(persona))

    assert not Certificate.objects.exists()
    assert billing.balance(course.organisation) == 3
    assert not AuditEvent.objects.filter(action="certificate.issued").exists()
