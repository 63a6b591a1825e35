"""Periodic jobs of the application workflow: reminders, escalation, expiry."""

from datetime import datetime, timedelta

from django.conf import settings

from certification.applications import notifications
from certification.applications.models import Application, OpinionRequest, Status
from certification.applications.services import (
    escalate_overdue_community_review,
    expire_application,
    warn_before_expiry,
)
from certification.core.periodic import periodic_job


@periodic_job("opinion_reminders")
def send_opinion_reminders(now: datetime) -> int:
    """Remind user groups 7 days and 1 day before their opinion is due, once each."""
    sent = 0
    waiting = OpinionRequest.objects.filter(
        application__status=Status.COMMUNITY_REVIEW, given_at__isnull=True, due_at__gt=now
    ).select_related("application__organisation", "user_group")
    for opinion_request in waiting:
        if opinion_request.round != opinion_request.application.review_round:
            continue
        for days in sorted(settings.OPINION_REMINDER_DAYS):
            if days in opinion_request.reminders_sent:
                continue
            if opinion_request.due_at - now <= timedelta(days=days):
                # The most urgent reminder due goes out; it covers the earlier ones too.
                covered = [d for d in settings.OPINION_REMINDER_DAYS if d >= days]
                opinion_request.reminders_sent = sorted(
                    set(opinion_request.reminders_sent) | set(covered)
                )
                opinion_request.save(update_fields=["reminders_sent"])
                notifications.opinion_reminder(opinion_request, days_left=days)
                sent += 1
                break
    return sent


@periodic_job("community_review_escalation")
def escalate_overdue(now: datetime) -> int:
    overdue = Application.objects.filter(status=Status.COMMUNITY_REVIEW, community_due_at__lte=now)
    return sum(escalate_overdue_community_review(application, now=now) for application in overdue)


@periodic_job("application_expiry")
def expire_stale_applications(now: datetime) -> int:
    stale = Application.objects.filter(status__in=[Status.DRAFT, Status.CHANGES_REQUESTED])
    done = 0
    for application in stale:
        done += expire_application(application, now=now) or warn_before_expiry(application, now=now)
    return done
