from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from certification.applications import services
from certification.applications.models import OpinionRequest, Status
from certification.applications.services import ApplicationError
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_initial_review_through_services,
    owner_of,
    submitted_through_services,
)
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_every_user_group_of_the_country_is_asked(rita, ugo, django_capture_on_commit_callbacks):
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    UserGroupFactory(name="QGIS Nordic", countries=["SE", "NO", "DK"], reviewers=[])
    UserGroupFactory(name="QGIS Deutschland", countries=["DE"], reviewers=[])
    application = in_initial_review_through_services(rita)

    with django_capture_on_commit_callbacks(execute=True):
        requests = services.send_to_community_review(application, by=rita)

    application.refresh_from_db()
    assert application.status == Status.COMMUNITY_REVIEW
    assert sorted(r.user_group.name for r in requests) == ["QGIS Nordic", "QGIS Sverige"]
    due = requests[0].due_at - timezone.now()
    assert timedelta(days=29, hours=23) < due <= timedelta(days=30)
    assert application.community_due_at == requests[0].due_at
    assert [m.to for m in mail.outbox] == [["ugo@example.org"]]
    assert "due on" in mail.outbox[0].body


def test_without_a_user_group_it_goes_straight_to_the_psc(
    rita, paula, django_capture_on_commit_callbacks
) -> None:
    application = in_initial_review_through_services(rita, country="TZ", name="Dar Mapping Ltd")

    with django_capture_on_commit_callbacks(execute=True):
        requests = services.send_to_community_review(application, by=rita)

    application.refresh_from_db()
    assert requests == []
    assert application.status == Status.PSC_REVIEW
    to_applicant = next(m for m in mail.outbox if m.to == [application.created_by.email])
    assert "found a local QGIS user group" in to_applicant.body
    assert "Tanzania" in to_applicant.body
    assert any(m.to == ["paula@example.org"] for m in mail.outbox)


def test_the_last_opinion_moves_the_application_to_the_psc(rita, ugo, paula) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    UserGroupFactory(name="QGIS Skåne", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    first, second = services.send_to_community_review(application, by=rita)

    services.record_opinion(first, by=ugo, verdict="recommend", reasons="Active translators.")
    application.refresh_from_db()
    assert application.status == Status.COMMUNITY_REVIEW

    services.record_opinion(second, by=ugo, verdict="abstain", reasons="We do not know them.")
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW


def test_an_opinion_is_given_once(rita, ugo) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    # A second group keeps the application waiting; Ugo answers for it, as its reviewer.
    UserGroupFactory(name="Another group", countries=["SE"], reviewers=[ugo])
    opinion_request, _other = services.send_to_community_review(application, by=rita)
    services.record_opinion(opinion_request, by=ugo, verdict="recommend", reasons="Good.")

    with pytest.raises(ApplicationError, match="already given"):
        services.record_opinion(opinion_request, by=ugo, verdict="abstain", reasons="Changed mind.")


@pytest.mark.parametrize(
    ("verdict", "reasons", "error"),
    [
        ("maybe", "Because.", "Choose recommend"),
        ("recommend", "   ", "Give the reasons"),
    ],
)
def test_an_opinion_needs_a_verdict_and_reasons(rita, ugo, verdict, reasons, error) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)

    with pytest.raises(ApplicationError, match=error):
        services.record_opinion(opinion_request, by=ugo, verdict=verdict, reasons=reasons)


def test_a_reviewer_of_the_applying_organisation_cannot_give_its_opinion(rita, ugo) -> None:
    from certification.accounts.permissions import can

    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)
    assert can(ugo, "application.give_opinion", opinion_request)

    MembershipFactory(user=ugo, organisation=application.organisation, role="trainer")
    ugo.__dict__.pop("_membership_roles", None)

    assert not can(ugo, "application.give_opinion", opinion_request)
    assert not can(ugo, "application.view_as_reviewer", application)


def test_changes_can_be_requested_from_community_review_and_a_new_round_follows(
    rita, ugo, django_capture_on_commit_callbacks
) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    services.send_to_community_review(application, by=rita)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(application, by=rita, message="Please add the exercise data.")

    application.refresh_from_db()
    assert application.status == Status.CHANGES_REQUESTED
    assert "Please add the exercise data." in mail.outbox[-1].body
    services.accept_declaration(application, by=owner_of(application))
    services.submit_application(application, by=owner_of(application))
    services.start_initial_review(application, by=rita)
    (new_request,) = services.send_to_community_review(application, by=rita)
    assert new_request.round == 2
    assert OpinionRequest.objects.filter(application=application).count() == 2
    assert application.snapshots.count() == 2


def test_outside_reviewers_get_a_signed_link_for_one_opinion(
    rita, django_capture_on_commit_callbacks
) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_outside_reviewer(
            opinion_request, by=rita, email="Expert@Example.org", name="Eva Expert"
        )

    token = services.invitation_token(invitation)
    assert services.invitation_from_token(token) == invitation
    assert f"/review/opinion/{token}/" in mail.outbox[-1].body
    assert services.invitation_from_token(token[:-2] + "xx") is None

    services.record_opinion(
        opinion_request, verdict="recommend", reasons="Solid.", invitation=invitation
    )
    opinion_request.refresh_from_db()
    assert opinion_request.given_by_label == "Eva Expert <expert@example.org>"
    assert services.invitation_from_token(token) is None  # used once


def test_an_expired_invitation_link_does_not_work(rita) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)
    invitation = services.invite_outside_reviewer(
        opinion_request, by=rita, email="e@example.org", name="E"
    )
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()

    assert services.invitation_from_token(services.invitation_token(invitation)) is None


def test_transitions_are_guarded(rita, paula) -> None:
    application = submitted_through_services()

    with pytest.raises(ApplicationError, match="Only a draft"):
        services.submit_application(application, by=owner_of(application))
    with pytest.raises(ApplicationError, match="Only an application in initial review"):
        services.send_to_community_review(application, by=rita)
    with pytest.raises(ApplicationError, match="Only an application in PSC review"):
        services.record_decision(application, by=paula, outcome="approve", rationale="Fine.")
    with pytest.raises(ApplicationError, match="during a review step"):
        services.request_changes(application, by=rita, message="Why?")
