"""The PSC records the final decision, with its rationale and optionally the vote."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from certification.applications.models import Decision, Status
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_community_review,
    submitted_application,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory
from certification.training.models import CourseType

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(carol_org, carol):
    carol_org.status = Organisation.Status.APPLICANT
    carol_org.save()
    return submitted_application(organisation=carol_org, status=Status.PSC_REVIEW)


def decide(client, application, **data: str):
    fields = {
        "outcome": "approve",
        "rationale": "Strong *contributions*.",
        "votes_for": "6",
        "votes_against": "1",
        "abstentions": "0",
        "confirm": "on",
        **data,
    }
    return client.post(
        reverse("review:record_decision", args=[application.code]),
        {f"decision-{key}": value for key, value in fields.items()},
    )


def test_the_psc_approves_and_the_organisation_is_certified(
    client_for, paula, rita, carol, application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client_for(paula), application)

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The decision has been recorded and the applicant informed."
    ]
    decision = Decision.objects.get()
    assert (decision.outcome, decision.votes_for, decision.votes_against, decision.abstentions) == (
        "approve",
        6,
        1,
        0,
    )
    assert decision.decided_by == paula
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.organisation.status == Organisation.Status.CERTIFIED
    assert application.course_types.get().status == CourseType.Status.APPROVED
    assert {carol.email, rita.email} <= {m.to[0] for m in mail.outbox}


def test_the_psc_rejects_without_recording_a_vote(client_for, paula, application) -> None:
    response = decide(
        client_for(paula),
        application,
        outcome="reject",
        votes_for="",
        votes_against="",
        abstentions="",
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == "reject"
    assert decision.votes_for is None
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.organisation.status == Organisation.Status.APPLICANT


def test_the_decision_shows_on_the_page(client_for, paula, application) -> None:
    decide(client_for(paula), application)

    html = client_for(paula).get(reverse("review:application", args=[application.code]))
    html = html.content.decode()

    assert "Strong <em>contributions</em>." in html
    assert "Votes: 6 for, 1 against, 0 abstentions." in html
    assert "Recorded by Paula PSC" in html
    assert reverse("review:record_decision", args=[application.code]) not in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"rationale": "  "}, "This field is required."),
        ({"outcome": "maybe"}, "Select a valid choice."),
        ({"outcome": ""}, "This field is required."),
        ({"confirm": ""}, "Tick the box to confirm."),
        ({"votes_for": "-1"}, "greater than or equal to 0"),
        ({"votes_against": "many"}, "Enter a whole number."),
    ],
)
def test_bad_decisions_are_refused(client_for, paula, application, data, error) -> None:
    response = decide(client_for(paula), application, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Decision.objects.exists()
    application.refresh_from_db()
    assert application.status == Status.PSC_REVIEW


def test_only_an_application_in_psc_review_can_be_decided(client_for, paula) -> None:
    application = submitted_application(status=Status.INITIAL_REVIEW)

    assert decide(client_for(paula), application).status_code == 403
    assert not Decision.objects.exists()


def test_the_certification_team_does_not_decide(client_for, rita, application) -> None:
    assert decide(client_for(rita), application).status_code == 403
    assert not Decision.objects.exists()


def test_a_user_group_reviewer_does_not_decide(client_for, ugo) -> None:
    application = in_community_review(groups=[UserGroupFactory(reviewers=[ugo])])
    application.status = Status.PSC_REVIEW
    application.save()

    with assert_unchanged(application, Decision):
        assert decide(client_for(ugo), application).status_code == 403


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom", "ugo"])
def test_others_get_a_404(request, client_for, application, persona) -> None:
    response = decide(client_for(request.getfixturevalue(persona)), application)

    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_a_psc_member_of_the_applying_organisation_does_not_decide(
    client_for, paula, application
) -> None:
    MembershipFactory(
        user=paula, organisation=application.organisation, role=Membership.Role.TRAINER
    )

    assert decide(client_for(paula), application).status_code == 404
    assert not Decision.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client_for, application) -> None:
    with assert_unchanged(application, application.organisation, Decision):
        response = decide(client_for(None), application)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deciding_refuses_a_get(client_for, paula, application) -> None:
    with assert_unchanged(application, application.organisation, Decision):
        response = client_for(paula).get(reverse("review:record_decision", args=[application.code]))

    assert response.status_code == 405
