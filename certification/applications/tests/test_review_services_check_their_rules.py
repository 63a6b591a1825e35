"""The certification team's and the PSC's steps ask their rule in the service itself.

A person the rule does not allow (an applicant, a user group reviewer, a team member without
two-factor authentication, the PSC for the team's steps) is refused and nothing changes.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied

from certification.applications import services
from certification.applications.models import Decision, Message, Status
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_initial_review_through_services,
    owner_of,
    submitted_through_services,
)
from certification.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_only_the_team_starts_the_initial_review(rita, ugo, paula) -> None:
    application = submitted_through_services()
    events = AuditEvent.objects.count()

    for person in (owner_of(application), ugo, paula):
        with pytest.raises(PermissionDenied):
            services.start_initial_review(application, by=person)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_the_team_needs_its_second_factor(rita) -> None:
    application = submitted_through_services()
    Authenticator.objects.filter(user=rita).delete()
    rita = type(rita).objects.get(pk=rita.pk)  # forget what was read of her authenticators

    with pytest.raises(PermissionDenied):
        services.start_initial_review(application, by=rita)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_only_the_team_keeps_the_checklist_and_asks_for_changes(rita, ugo) -> None:
    application = in_initial_review_through_services(rita)
    owner = owner_of(application)
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.save_checklist(application, by=ugo, checklist={"currency": True})
    with pytest.raises(PermissionDenied):
        services.request_changes(application, by=owner, message="Approve yourself.")

    application.refresh_from_db()
    assert application.status == Status.INITIAL_REVIEW
    assert not any(application.checklist.values())
    assert not Message.objects.filter(application=application).exists()
    assert AuditEvent.objects.count() == events


def test_only_the_team_sends_an_application_to_the_user_groups(rita, ugo, paula) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)

    for person in (ugo, paula):
        with pytest.raises(PermissionDenied):
            services.send_to_community_review(application, by=person)

    application.refresh_from_db()
    assert application.status == Status.INITIAL_REVIEW
    assert not application.opinion_requests.exists()


def test_only_the_psc_decides(rita, ugo, paula) -> None:
    application = in_initial_review_through_services(rita, country="TZ", name="Dar Mapping Ltd")
    services.send_to_community_review(application, by=rita)  # no user group: straight to the PSC
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW

    for person in (rita, ugo, owner_of(application)):
        with pytest.raises(PermissionDenied):
            services.record_decision(
                application, by=person, outcome="approve", rationale="Why not."
            )

    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW
    assert not Decision.objects.filter(application=application).exists()
