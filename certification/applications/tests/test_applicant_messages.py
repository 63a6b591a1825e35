"""Posting to the discussion of an application."""

import pytest
from django.core import mail
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Message, Status
from certification.applications.tests.factories import ApplicationFactory
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(
        organisation=alice_org, created_by=alice, status=Status.INITIAL_REVIEW
    )


def _url(application: Application) -> str:
    return f"/applications/{application.code}/messages/"


def test_the_applicant_posts_a_message_and_the_team_hears_of_it(
    client_for,
    alice: User,
    rita: User,
    application: Application,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(_url(application), {"body": "Is **3.34** recent enough?"})

    assert response["Location"] == f"/applications/{application.code}/#discussion"
    message = application.messages.get()
    assert message.kind == Message.Kind.COMMENT
    assert message.author == alice
    assert [email.to[0] for email in mail.outbox] == ["rita@example.org"]
    page = client_for(alice).get(f"/applications/{application.code}/").content.decode()
    assert "<strong>3.34</strong>" in page


def test_a_reviewer_can_answer_from_the_same_page(
    client_for, rita: User, application: Application
) -> None:
    response = client_for(rita).post(_url(application), {"body": "Yes, it is."})

    assert response.status_code == 302
    assert application.messages.get().kind == Message.Kind.COMMENT


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_message_is_refused_at_the_field(
    client_for, alice: User, application: Application, body: str
) -> None:
    response = client_for(alice).post(_url(application), {"body": body})

    assert response.status_code == 200
    assert "body" in response.context["message_form"].errors
    assert 'id="id_body_error"' in response.content.decode()
    assert not application.messages.exists()


def test_there_is_no_discussion_before_submission(
    client_for, alice: User, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.DRAFT)

    assert client_for(alice).post(_url(application), {"body": "Hello"}).status_code == 403
    assert not application.messages.exists()


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom"])
def test_nobody_else_posts(
    client_for, request: pytest.FixtureRequest, application: Application, persona: str
) -> None:
    response = client_for(request.getfixturevalue(persona)).post(
        _url(application), {"body": "Hello"}
    )

    assert response.status_code == 404
    assert not application.messages.exists()


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    assert client.post(_url(application), {"body": "Hello"})["Location"].startswith(
        "/accounts/login/"
    )
    assert not application.messages.exists()


def test_posting_is_post_only(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application, Message):
        assert client_for(alice).get(_url(application)).status_code == 405
