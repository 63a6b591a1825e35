"""The certification team's steps: initial review, checklist, change requests, community review."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from certification.applications.models import Message, OpinionRequest, ReviewerInvitation, Status
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_community_review,
    submitted_application,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name: str, application, *args: str) -> str:
    return reverse(f"review:{name}", args=[application.code, *args])


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def alices_application(alice, alice_org):
    return submitted_application(organisation=alice_org, status=Status.SUBMITTED)


# --- Who may take the team's steps --------------------------------------------------------

TEAM_STEPS = [
    ("start_initial_review", Status.SUBMITTED, {}),
    ("save_checklist", Status.INITIAL_REVIEW, {"checklist-quality": "on"}),
    ("request_changes", Status.INITIAL_REVIEW, {"changes-message": "Add", "changes-confirm": "on"}),
    ("send_to_community_review", Status.INITIAL_REVIEW, {"community-confirm": "on"}),
]


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
def test_anonymous_visitors_are_sent_to_log_in(client_for, alice_org, name, status, data):
    application = submitted_application(organisation=alice_org, status=status)

    with assert_unchanged(application):
        response = client_for(None).post(url(name, application), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom", "ugo"])
def test_people_who_do_not_review_it_get_a_404(
    request, client_for, alice_org, name, status, data, persona
):
    application = submitted_application(organisation=alice_org, status=status)
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(application):
        response = client.post(url(name, application), data)

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == status


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
def test_the_psc_may_read_but_not_take_the_teams_steps(client_for, paula, name, status, data):
    application = submitted_application(status=status)

    with assert_unchanged(application):
        response = client_for(paula).post(url(name, application), data)

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == status


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
def test_a_user_group_reviewer_asked_for_an_opinion_may_not_take_them(
    client_for, ugo, name, status, data
):
    application = in_community_review(groups=[UserGroupFactory(reviewers=[ugo])])
    application.status = status
    application.save()

    with assert_unchanged(application):
        assert client_for(ugo).post(url(name, application), data).status_code == 403


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
def test_a_team_member_of_the_applying_organisation_gets_a_404(
    client_for, rita, name, status, data
):
    application = submitted_application(status=status)
    MembershipFactory(user=rita, organisation=application.organisation, role=Membership.Role.OWNER)

    with assert_unchanged(application):
        assert client_for(rita).post(url(name, application), data).status_code == 404


@pytest.mark.parametrize(("name", "status", "data"), TEAM_STEPS)
def test_the_steps_refuse_a_get(client_for, rita, name, status, data) -> None:
    application = submitted_application(status=status)

    with assert_unchanged(application):
        assert client_for(rita).get(url(name, application)).status_code == 405


# --- Initial review -----------------------------------------------------------------------


def test_the_team_starts_the_initial_review(client_for, rita, alices_application) -> None:
    response = client_for(rita).post(url("start_initial_review", alices_application))

    assert response.status_code == 302
    assert response["Location"].startswith(url("application", alices_application))
    alices_application.refresh_from_db()
    assert alices_application.status == Status.INITIAL_REVIEW
    assert shown(response) == ["The initial review has started."]


def test_starting_twice_says_why_it_cannot(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    with assert_unchanged(application):
        response = client_for(rita).post(url("start_initial_review", application))

    assert response.status_code == 302
    assert shown(response) == ["Only a submitted application can enter initial review."]


def test_the_checklist_is_saved_with_its_comment_as_an_internal_note(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    response = client_for(rita).post(
        url("save_checklist", application),
        {
            "checklist-material_current": "on",
            "checklist-quality": "on",
            "checklist-comment": "Slides use **3.40**.",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.checklist == {
        "material_current": True,
        "accurate": False,
        "quality": True,
        "contributions_verified": False,
    }
    note = application.messages.get()
    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert note.body == "Slides use **3.40**."
    page = client_for(rita).get(url("application", application)).content.decode()
    assert 'id="id_checklist-material_current" checked' in page


def test_a_checklist_without_comment_adds_no_note(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    client_for(rita).post(url("save_checklist", application), {"checklist-accurate": "on"})

    assert not application.messages.exists()


def test_the_checklist_belongs_to_the_initial_review(client_for, rita) -> None:
    application = submitted_application(status=Status.SUBMITTED)

    response = client_for(rita).post(url("save_checklist", application), {"checklist-comment": "x"})

    assert shown(response) == ["The checklist belongs to the initial review."]
    assert not application.messages.exists()  # the note is not kept without the checklist


# --- Change requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Status.INITIAL_REVIEW, Status.COMMUNITY_REVIEW, Status.PSC_REVIEW]
)
def test_the_team_requests_changes_from_any_review_step(
    client_for, rita, alice, alice_org, django_capture_on_commit_callbacks, status
):
    application = submitted_application(organisation=alice_org, status=status)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rita).post(
            url("request_changes", application),
            {"changes-message": "Please add the exercise data.", "changes-confirm": "on"},
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.CHANGES_REQUESTED
    assert application.messages.get().kind == Message.Kind.CHANGE_REQUEST
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "Please add the exercise data." in mail.outbox[0].body


def test_changes_are_requested_only_after_confirming(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    response = client_for(rita).post(
        url("request_changes", application), {"changes-message": "Please add data."}
    )

    assert response.status_code == 400
    assert "Tick the box to confirm." in response.content.decode()
    assert "Please add data." in response.content.decode()  # kept for the next try
    application.refresh_from_db()
    assert application.status == Status.INITIAL_REVIEW


def test_a_change_request_needs_a_message(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    response = client_for(rita).post(
        url("request_changes", application), {"changes-message": "   ", "changes-confirm": "on"}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.INITIAL_REVIEW


def test_changes_cannot_be_requested_before_the_review_starts(client_for, rita) -> None:
    application = submitted_application(status=Status.SUBMITTED)

    response = client_for(rita).post(
        url("request_changes", application), {"changes-message": "x", "changes-confirm": "on"}
    )

    assert shown(response) == ["Changes can only be requested during a review step."]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


# --- Community review ---------------------------------------------------------------------


def test_it_goes_to_every_user_group_of_the_country(
    client_for, rita, ugo, django_capture_on_commit_callbacks
) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW, organisation__country="SE")
    UserGroupFactory(name="QGIS Sverige", countries=["SE"], reviewers=[ugo])
    UserGroupFactory(name="QGIS Norden", countries=["NO", "SE"])
    UserGroupFactory(name="QGIS Suomi", countries=["FI"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rita).post(
            url("send_to_community_review", application), {"community-confirm": "on"}
        )

    application.refresh_from_db()
    assert application.status == Status.COMMUNITY_REVIEW
    assert application.opinion_requests.count() == 2
    assert shown(response) == [
        "The application has gone to 2 user groups for their opinions: QGIS Norden, QGIS Sverige."
    ]
    assert [m.to for m in mail.outbox] == [[ugo.email]]


def test_without_a_user_group_it_goes_straight_to_the_psc(
    client_for, rita, paula, alice, alice_org, django_capture_on_commit_callbacks
) -> None:
    application = submitted_application(organisation=alice_org, status=Status.INITIAL_REVIEW)
    UserGroupFactory(countries=["FI"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rita).post(
            url("send_to_community_review", application), {"community-confirm": "on"}
        )

    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW
    assert shown(response) == [
        "No user group covers Sweden, so the application has gone straight to the PSC. "
        "The applicant has been encouraged to found a user group."
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, paula.email]


def test_community_review_needs_a_confirmation(client_for, rita) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    response = client_for(rita).post(url("send_to_community_review", application), {})

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.INITIAL_REVIEW


def test_only_an_application_in_initial_review_goes_to_the_user_groups(client_for, rita):
    application = submitted_application(status=Status.SUBMITTED)

    response = client_for(rita).post(
        url("send_to_community_review", application), {"community-confirm": "on"}
    )

    assert shown(response) == ["Only an application in initial review can go further."]


# --- Outside reviewers --------------------------------------------------------------------


def invite(client, application, group: str = "sverige", **data: str):
    fields = {"name": "Olga Outside", "email": "Olga@Example.net", "language": "sv", **data}
    return client.post(
        url("invite_outside_reviewer", application, group),
        {f"invite-{group}-{key}": value for key, value in fields.items()},
    )


def test_the_team_invites_an_outside_reviewer_by_email(
    client_for, rita, django_capture_on_commit_callbacks
) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige")])

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(rita), application)

    assert response.status_code == 302
    invitation = ReviewerInvitation.objects.get()
    assert invitation.email == "olga@example.net"
    assert invitation.opinion_request.application == application
    assert [m.to for m in mail.outbox] == [["olga@example.net"]]
    assert "/review/opinion/" in mail.outbox[0].body
    assert shown(response) == [
        "Olga Outside has been invited by email to give the opinion of "
        f"{invitation.opinion_request.user_group.name}."
    ]


def test_an_invitation_needs_a_valid_address_and_a_name(client_for, rita) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige")])

    response = invite(client_for(rita), application, email="not-an-address", name="")

    assert response.status_code == 400
    assert not ReviewerInvitation.objects.exists()


def test_no_invitation_once_the_opinion_is_given(client_for, rita) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige")])
    OpinionRequest.objects.update(verdict="abstain", reasons="x", given_at=application.created_at)

    response = invite(client_for(rita), application)

    assert shown(response) == ["This user group's opinion is no longer awaited."]
    assert not ReviewerInvitation.objects.exists()


def test_inviting_for_a_group_that_was_not_asked_is_not_found(client_for, rita) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige")])
    UserGroupFactory(slug="elsewhere")

    with assert_unchanged(application, ReviewerInvitation):
        assert invite(client_for(rita), application, group="elsewhere").status_code == 404


def test_only_the_team_invites_outside_reviewers(client_for, ugo, paula) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige", reviewers=[ugo])])

    assert invite(client_for(ugo), application).status_code == 403
    assert invite(client_for(paula), application).status_code == 403
    assert invite(client_for(None), application).status_code == 302
    assert not ReviewerInvitation.objects.exists()


def test_inviting_refuses_a_get(client_for, rita) -> None:
    application = in_community_review(groups=[UserGroupFactory(slug="sverige")])

    response = client_for(rita).get(url("invite_outside_reviewer", application, "sverige"))

    assert response.status_code == 405
