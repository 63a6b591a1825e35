"""Withdrawing an application, after a confirmation page."""

import pytest
from django.core import mail
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Status
from certification.applications.tests.factories import ApplicationFactory
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice, status=Status.SUBMITTED)


def _url(application: Application) -> str:
    return f"/applications/{application.code}/withdraw/"


def test_the_confirmation_page_explains_and_changes_nothing(
    client_for, alice: User, application: Application
) -> None:
    response = client_for(alice).get(_url(application))

    assert response.status_code == 200
    assert "Withdraw the application?" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_withdrawing_closes_the_application_and_tells_the_team(
    client_for,
    alice: User,
    rita: User,
    application: Application,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(_url(application), {"reason": "We are not ready."})

    assert response["Location"] == f"/applications/{application.code}/"
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert application.closed_at is not None
    event = AuditEvent.objects.for_object(application).get(action="application.withdrawn")
    assert event.data == {"reason": "We are not ready."}
    assert [email.to[0] for email in mail.outbox] == ["rita@example.org"]


def test_a_draft_can_be_withdrawn_too(client_for, alice: User, application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.DRAFT)

    client_for(alice).post(_url(application), {"reason": ""})

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_a_closed_application_cannot_be_withdrawn(
    client_for, alice: User, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.REJECTED)

    assert client_for(alice).get(_url(application)).status_code == 403
    with assert_unchanged(application):
        assert client_for(alice).post(_url(application)).status_code == 403


def test_a_reviewer_cannot_withdraw(client_for, rita: User, application: Application) -> None:
    with assert_unchanged(application):
        assert client_for(rita).post(_url(application)).status_code == 403
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom"])
def test_nobody_else_withdraws(
    client_for, request: pytest.FixtureRequest, application: Application, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(application):
        assert client.post(_url(application)).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    with assert_unchanged(application):
        assert client.post(_url(application))["Location"].startswith("/accounts/login/")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_other_methods_are_refused(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application):
        assert client_for(alice).put(_url(application)).status_code == 405
