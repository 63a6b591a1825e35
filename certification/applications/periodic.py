"""Periodic jobs of the application workflow: reminders, escalation, expiry.

Each job finds what is due and hands every item to its service, which checks again under a
lock, so that a job run twice (or twice at once) does nothing twice.
"""

from datetime import datetime, timedelta

from django.conf import settings

from certification.applications.models import Application, OpinionRequest, Status
from certification.applications.services import (
    escalate_overdue_community_review,
    expire_application,
    send_opinion_reminder,
    warn_before_expiry,
)
from certification.core.periodic import periodic_job


@periodic_job("opinion_reminders")
def send_opinion_reminders(now: datetime) -> int:
    """Remind user groups 7 days and 1 day before their opinion is due, once each."""
    window = timedelta(days=max(settings.OPINION_REMINDER_DAYS))
    awaited = (
        OpinionRequest.objects.awaited()
        .due_within(window, now=now)
        .select_related("application__organisation", "user_group")
    )
    due = [
        opinion_request
        for opinion_request in awaited
        if opinion_request.reminder_due(now) is not None
    ]
    return sum(send_opinion_reminder(opinion_request, now=now) for opinion_request in due)


@periodic_job("community_review_escalation")
def escalate_overdue(now: datetime) -> int:
    overdue = Application.objects.opinions_overdue(now)
    return sum(escalate_overdue_community_review(application, now=now) for application in overdue)


@periodic_job("application_expiry")
def expire_stale_applications(now: datetime) -> int:
    stale = Application.objects.filter(status__in=Status.editable())
    done = 0
    for application in stale:
        done += expire_application(application, now=now) or warn_before_expiry(application, now=now)
    return done
