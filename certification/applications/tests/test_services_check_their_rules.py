"""Each service a person calls asks that person's rule itself: no caller can go around it.

A refusal because of the application's state keeps its explanation (ApplicationError); a
person the rule does not allow is refused (PermissionDenied) and nothing changes.
"""

import pytest
from django.core.exceptions import PermissionDenied

from certification.applications import services
from certification.applications.models import Contribution, Message, Status
from certification.applications.services import ApplicationError
from certification.applications.tests.factories import (
    UserGroupFactory,
    draft_through_services,
    in_initial_review_through_services,
    submitted_through_services,
)
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _contribution() -> Contribution:
    return Contribution(
        category=Contribution.Category.BOOKS, description="A QGIS book.", start_year=2020
    )


def test_only_the_applicant_edits_a_draft(alice, carol) -> None:
    application = draft_through_services(alice)
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.save_contribution(application, _contribution(), by=carol)
    with pytest.raises(PermissionDenied):
        services.accept_declaration(application, by=carol)

    assert application.contributions.count() == 1
    assert AuditEvent.objects.count() == events


def test_only_the_applicant_submits_and_withdraws(alice, carol) -> None:
    application = draft_through_services(alice)

    with pytest.raises(PermissionDenied):
        services.submit_application(application, by=carol)
    with pytest.raises(PermissionDenied):
        services.withdraw_application(application, by=carol)

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.review_round == 0


def test_the_state_is_explained_before_the_person_is_refused(alice, carol) -> None:
    application = submitted_through_services(alice)

    with pytest.raises(ApplicationError, match="can no longer be edited"):
        services.accept_declaration(application, by=carol)
    with pytest.raises(ApplicationError, match="Only a draft"):
        services.submit_application(application, by=carol)


def test_the_applicant_saves_the_details_and_the_activity_together(alice, carol) -> None:
    application = draft_through_services(alice)
    organisation = Organisation.objects.get(pk=application.organisation_id)
    organisation.address = "Kartgatan 2, Uppsala"

    with pytest.raises(PermissionDenied):
        services.save_details(application, organisation, by=carol, training_activity="Other.")
    services.save_details(application, organisation, by=alice, training_activity="Weekly.")

    application.refresh_from_db()
    assert application.training_activity == "Weekly."
    assert application.organisation.address == "Kartgatan 2, Uppsala"
    events = AuditEvent.objects.for_object(application).filter(action="application.details_saved")
    assert [event.actor for event in events] == [alice]


def test_only_reviewers_of_the_group_give_its_opinion(rita, ugo, carol) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)

    with pytest.raises(PermissionDenied):
        services.record_opinion(opinion_request, by=carol, verdict="recommend", reasons="Hm.")

    opinion_request.refresh_from_db()
    assert not opinion_request.is_given


def test_only_the_team_invites_outside_reviewers(rita, ugo) -> None:
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    application = in_initial_review_through_services(rita)
    (opinion_request,) = services.send_to_community_review(application, by=rita)

    with pytest.raises(PermissionDenied):
        services.invite_outside_reviewer(
            opinion_request, by=ugo, email="olga@example.net", name="Olga"
        )

    assert not opinion_request.invitations.exists()


def test_internal_notes_are_the_teams(rita, alice) -> None:
    application = in_initial_review_through_services(rita, alice)

    with pytest.raises(PermissionDenied):
        services.post_message(application, by=alice, body="Let me see.", internal=True)
    services.post_message(application, by=rita, body="Slides checked.", internal=True)

    assert list(Message.objects.values_list("body", flat=True)) == ["Slides checked."]


def test_only_the_team_manages_user_groups(alice, rita) -> None:
    group = UserGroupFactory.build(name="QGIS Norge", slug="qgis-norge", countries=["NO"])

    with pytest.raises(PermissionDenied):
        services.save_user_group(group, by=alice, reviewers=[])
    assert group.pk is None

    services.save_user_group(group, by=rita, reviewers=[])
    assert group.pk is not None
