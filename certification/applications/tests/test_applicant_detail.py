"""The applicant's page of an application: where it stands, what comes next, the history."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from certification.accounts.models import User
from certification.applications import services
from certification.applications.models import (
    Application,
    Decision,
    Message,
    OpinionRequest,
    Status,
)
from certification.applications.tests.factories import (
    ApplicationFactory,
    DecisionFactory,
    MessageFactory,
    OpinionRequestFactory,
    SnapshotFactory,
    UserGroupFactory,
    in_initial_review_through_services,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


def _url(application: Application) -> str:
    return f"/applications/{application.code}/"


def _set(application: Application, **fields: object) -> Application:
    Application.objects.filter(pk=application.pk).update(**fields)
    application.refresh_from_db()
    return application


def test_a_draft_shows_its_steps_and_when_it_expires(
    client_for, alice: User, application: Application
) -> None:
    with time_machine.travel("2026-03-01 12:00 +0000", tick=False):
        _set(application, last_activity_at=timezone.now())
        response = client_for(alice).get(_url(application))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="step"' in content
    assert "Preparation" in content
    # 90 days after the last activity.
    assert "May 30, 2026" in content
    assert f'href="/applications/{application.code}/details/"' in content
    assert "Once the application is submitted, you can discuss it" in content
    assert (
        'action="/applications/' not in content.split('id="discussion"')[1].split("</section>")[0]
    )


def test_a_submitted_application_shows_the_review_steps_done_and_to_come(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.INITIAL_REVIEW, submitted_at=timezone.now())

    content = client_for(alice).get(_url(application)).content.decode()

    assert '<li class="workflow-done">' in content
    assert '<li class="workflow-current" aria-current="step">' in content
    assert "Initial review" in content
    assert "The certification team is reviewing the application" in content
    assert "Continue the application" not in content


def test_community_review_says_when_the_opinions_are_due(
    client_for, alice: User, application: Application
) -> None:
    _set(
        application,
        status=Status.COMMUNITY_REVIEW,
        community_due_at=timezone.make_aware(datetime(2026, 7, 14, 12)),
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "local QGIS user groups of Sweden" in content
    assert "July 14, 2026" in content


def test_opinions_are_never_shown_to_the_applicant(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.PSC_REVIEW, review_round=1)
    group = UserGroupFactory(name="QGIS Sverige", slug="qgis-sverige", countries=["SE"])
    OpinionRequestFactory(
        application=application,
        user_group=group,
        round=1,
        due_at=timezone.now(),
        verdict=OpinionRequest.Verdict.DO_NOT_RECOMMEND,
        reasons="Their slides are about QGIS 2.18.",
        given_at=timezone.now(),
        given_by_label="Ugo",
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "Their slides are about QGIS 2.18." not in content
    assert "Do not recommend" not in content
    assert "making the final decision" in content


def test_change_requests_are_highlighted_with_the_expiry_date(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.CHANGES_REQUESTED)
    MessageFactory(
        application=application,
        kind=Message.Kind.CHANGE_REQUEST,
        body="Please update the **exercises** to QGIS 3.40.",
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "The reviewers ask for these changes" in content
    assert "<strong>exercises</strong>" in content
    assert "post-change-request" in content
    expires = application.last_activity_at + timedelta(days=60)
    assert date_format(expires) in content
    assert "Review and submit again" in content


def test_internal_notes_never_reach_the_applicant(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.INITIAL_REVIEW)
    MessageFactory(application=application, body="Visible comment.")
    MessageFactory(
        application=application, kind=Message.Kind.INTERNAL_NOTE, body="Secret reviewer note."
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "Visible comment." in content
    assert "Secret reviewer note." not in content


def test_messages_are_rendered_as_sanitised_markdown(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.SUBMITTED)
    MessageFactory(
        application=application,
        body="Hello *there* <script>alert('x')</script> [link](javascript:alert(1))",
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "<em>there</em>" in content
    assert "<script>alert" not in content
    assert "javascript:alert" not in content


def test_the_decision_and_its_rationale_are_shown(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.REJECTED, closed_at=timezone.now())
    DecisionFactory(
        application=application,
        outcome=Decision.Outcome.REJECT,
        rationale="The material is written for QGIS 2.",
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "Decision of the PSC: Reject" in content
    assert "The material is written for QGIS 2." in content
    assert 'href="/apply/"' in content


def test_an_approved_application_links_to_the_organisation(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.APPROVED, closed_at=timezone.now())
    DecisionFactory(
        application=application, outcome=Decision.Outcome.APPROVE, rationale="Great material."
    )

    content = client_for(alice).get(_url(application)).content.decode()

    assert "Congratulations" in content
    assert "Great material." in content
    assert 'href="/dashboard/organisations/geoskolan/"' in content
    assert "Withdraw the application" not in content


def test_a_withdrawn_application_has_no_progress_indicator(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.WITHDRAWN, closed_at=timezone.now())

    content = client_for(alice).get(_url(application)).content.decode()

    assert 'class="workflow"' not in content
    assert "was withdrawn" in content


def test_submitted_versions_are_listed_and_readable(
    client_for, alice: User, application: Application
) -> None:
    _set(application, status=Status.CHANGES_REQUESTED, review_round=2)
    SnapshotFactory(application=application, round=1)
    SnapshotFactory(application=application, round=2)

    content = client_for(alice).get(_url(application)).content.decode()
    assert f'href="/applications/{application.code}/versions/1/"' in content
    assert f'href="/applications/{application.code}/versions/2/"' in content

    version = client_for(alice).get(f"/applications/{application.code}/versions/1/")
    assert version.status_code == 200
    page = version.content.decode()
    assert "Swedish translation of the manual." in page
    assert "Day 1 slides" in page
    assert "Sweden" in page
    assert client_for(alice).get(f"/applications/{application.code}/versions/3/").status_code == 404


def test_reviewers_see_a_submitted_application_but_not_a_draft(
    client_for, rita: User, application: Application
) -> None:
    assert client_for(rita).get(_url(application)).status_code == 404

    _set(application, status=Status.SUBMITTED)

    response = client_for(rita).get(_url(application))
    assert response.status_code == 200
    assert "Withdraw the application" not in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom"])
def test_nobody_else_sees_the_application(
    client_for, request: pytest.FixtureRequest, application: Application, persona: str
) -> None:
    _set(application, status=Status.SUBMITTED)

    client = client_for(request.getfixturevalue(persona))
    assert client.get(_url(application)).status_code == 404
    SnapshotFactory(application=application)
    assert client.get(f"/applications/{application.code}/versions/1/").status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    assert client.get(_url(application))["Location"].startswith("/accounts/login/")


def test_the_page_refuses_posts(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application):
        assert client_for(alice).post(_url(application)).status_code == 405


def test_the_page_runs_a_fixed_number_of_queries(
    client_for, alice: User, application: Application, django_assert_max_num_queries
) -> None:
    _set(application, status=Status.CHANGES_REQUESTED, review_round=10)
    client = client_for(alice)
    client.get(_url(application))
    for number in range(1, 11):
        SnapshotFactory(application=application, round=number)
        MessageFactory(application=application)
        MessageFactory(application=application, kind=Message.Kind.CHANGE_REQUEST)
        MessageFactory(application=application, kind=Message.Kind.INTERNAL_NOTE)

    with django_assert_max_num_queries(10):
        response = client.get(_url(application))

    content = response.content.decode()
    assert content.count('class="post"') == 10
    assert content.count('class="post post-change-request"') == 10


def test_the_progress_shows_the_user_group_stage_skipped_without_a_user_group(
    client_for, rita
) -> None:
    application = in_initial_review_through_services(rita, country="TZ", name="Dar Mapping Ltd")
    services.send_to_community_review(application, by=rita)

    page = client_for(application.created_by).get(f"/applications/{application.code}/")

    content = page.content.decode()
    assert 'class="workflow-skipped"' in content
    assert "skipped: no user group in the country" in content
