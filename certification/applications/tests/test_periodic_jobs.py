from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from certification.applications import services
from certification.applications.models import Status
from certification.applications.tests.factories import (
    UserGroupFactory,
    draft_through_services,
    in_initial_review_through_services,
    owner_of,
)
from certification.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def run_periodic(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic", stdout=out)
    return out.getvalue()


@pytest.fixture
def in_community_review(rita, ugo):
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    services.send_to_community_review(application, by=rita)
    application.refresh_from_db()
    return application


def test_reminders_go_out_7_days_and_1_day_before_the_due_date_once_each(
    in_community_review, django_capture_on_commit_callbacks
) -> None:
    due = in_community_review.community_due_at
    mail.outbox.clear()

    with time_machine.travel(due - timedelta(days=8)):
        run_periodic(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    with time_machine.travel(due - timedelta(days=6, hours=23)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Reminder: opinion on Kartakademin AB")

    with time_machine.travel(due - timedelta(hours=20)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_each_reminder_is_recorded_on_the_application(
    in_community_review, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(in_community_review.community_due_at - timedelta(days=6)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)

    events = AuditEvent.objects.for_object(in_community_review).filter(
        action="application.opinion_reminder_sent"
    )
    assert [(event.actor, event.data) for event in events] == [
        (None, {"user_group": "QGIS Sverige", "days_left": 7})
    ]


def test_a_late_first_run_sends_only_the_most_urgent_reminder(
    in_community_review, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()

    with time_machine.travel(in_community_review.community_due_at - timedelta(hours=5)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1


def test_when_the_month_has_passed_the_application_moves_to_the_psc(
    in_community_review, paula, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(in_community_review.community_due_at - timedelta(minutes=1)):
        run_periodic(django_capture_on_commit_callbacks)
    in_community_review.refresh_from_db()
    assert in_community_review.status == Status.COMMUNITY_REVIEW

    with time_machine.travel(in_community_review.community_due_at + timedelta(minutes=1)):
        output = run_periodic(django_capture_on_commit_callbacks)
    in_community_review.refresh_from_db()
    assert in_community_review.status == Status.PSC_REVIEW
    assert "community_review_escalation: 1" in output
    assert any(m.to == ["paula@example.org"] and "passed" in m.body for m in mail.outbox)


def test_stale_drafts_are_warned_then_expire(django_capture_on_commit_callbacks, settings) -> None:
    settings.APPLICATION_DRAFT_EXPIRY_DAYS = 90
    settings.APPLICATION_EXPIRY_WARNING_DAYS = 7
    application = draft_through_services()
    start = application.last_activity_at

    with time_machine.travel(start + timedelta(days=82)):
        run_periodic(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    with time_machine.travel(start + timedelta(days=84)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert len(mail.outbox) == 1
    assert "will expire on" in mail.outbox[0].subject

    with time_machine.travel(start + timedelta(days=91, hours=1)):
        run_periodic(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.EXPIRED
    assert "has expired" in mail.outbox[-1].subject


def test_working_on_a_draft_after_the_warning_keeps_it_alive(
    django_capture_on_commit_callbacks,
) -> None:
    application = draft_through_services()
    start = application.last_activity_at

    with time_machine.travel(start + timedelta(days=85)):
        run_periodic(django_capture_on_commit_callbacks)
        services.accept_declaration(application, by=owner_of(application))

    with time_machine.travel(start + timedelta(days=95)):
        run_periodic(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_an_overdue_application_first_seen_late_still_gets_a_full_warning(
    django_capture_on_commit_callbacks,
) -> None:
    application = draft_through_services()
    start = application.last_activity_at

    with time_machine.travel(start + timedelta(days=200)):
        run_periodic(django_capture_on_commit_callbacks)
        run_periodic(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.DRAFT

    with time_machine.travel(start + timedelta(days=207, hours=1)):
        run_periodic(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.EXPIRED


def test_unanswered_change_requests_expire_too(
    rita, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CHANGES_REQUEST_EXPIRY_DAYS = 30
    application = in_initial_review_through_services(rita)
    services.request_changes(application, by=rita, message="Update to QGIS 3.40.")
    now = timezone.now()

    with time_machine.travel(now + timedelta(days=25)):
        run_periodic(django_capture_on_commit_callbacks)
    with time_machine.travel(now + timedelta(days=33)):
        run_periodic(django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.status == Status.EXPIRED
