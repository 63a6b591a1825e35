"""Benchmark: issuing 1,000 certificates for one course (rows and ledger, PDFs excluded)."""

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from certification.bench.suites import Row, benchmark

ATTENDEES = 1000
# Rendering and email are background work: the benchmark measures the issuing transaction.
NO_BACKGROUND_WORK = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _course_with_attendees(count: int) -> tuple[Any, Any]:
    from certification.accounts.models import User
    from certification.billing.ledger import adjust_credits
    from certification.organisations.models import Membership, Organisation
    from certification.training.models import Attendee, Course, CourseType

    owner = User.objects.create_user("issuing-bench@example.org", name="Bench Owner")
    organisation = Organisation.objects.create(
        legal_name="Issuing Bench AB",
        slug="issuing-bench",
        country="SE",
        status=Organisation.Status.CERTIFIED,
    )
    Membership.objects.create(user=owner, organisation=organisation, role=Membership.Role.OWNER)
    course_type = CourseType.objects.create(
        organisation=organisation,
        title="QGIS for benchmarks",
        description="-",
        learning_outcomes="-",
        hours=8,
        qgis_version="3.40 LTR",
        languages=["en"],
        status=CourseType.Status.APPROVED,
    )
    course = Course.objects.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 2),
        language="en",
        online=True,
    )
    Attendee.objects.bulk_create(
        Attendee(course=course, name=f"Attendee {number}", email=f"a{number}@example.org")
        for number in range(count)
    )
    adjust_credits(organisation, by=None, amount=count, reason="Benchmark")
    return course, owner


@benchmark(f"issuing {ATTENDEES} certificates")
def issuing() -> Iterator[Row]:
    from certification.billing.ledger import balance
    from certification.certificates.services import issue_certificates

    course, owner = _course_with_attendees(ATTENDEES)
    selections = [(attendee, "completion") for attendee in course.attendees.all()]
    with override_settings(TASKS=NO_BACKGROUND_WORK), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        certificates = issue_certificates(course, selections, by=owner)
        elapsed = time.perf_counter() - started
    assert len(certificates) == ATTENDEES
    assert balance(course.organisation) == 0
    yield (
        f"one transaction on {connection.vendor}",
        f"{elapsed:.2f}",
        "seconds",
        "≤ 5 s (PostgreSQL)",
    )
    yield "certificates issued", f"{ATTENDEES / elapsed:.0f}", "per second", "-"
    yield "queries in the transaction", str(len(queries)), "queries", "constant"
