"""Reviewers reply to the applicant and keep internal notes among themselves."""

import pytest
from django.core import mail
from django.urls import reverse

from certification.applications.models import Message, Status
from certification.applications.tests.factories import (
    UserGroupFactory,
    in_community_review,
    submitted_application,
)
from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice, alice_org):
    return submitted_application(organisation=alice_org, status=Status.INITIAL_REVIEW)


def reply(client, application, body: str = "Could you add **the data**?"):
    return client.post(reverse("review:post_reply", args=[application.code]), {"reply-body": body})


def note(client, application, body: str = "Their plugin has 2000 users."):
    return client.post(
        reverse("review:add_internal_note", args=[application.code]), {"note-body": body}
    )


def test_a_reviewer_replies_to_the_applicant(
    client_for, rita, alice, application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = reply(client_for(rita), application)

    assert response.status_code == 302
    assert response["Location"].endswith("#discussion")
    message = application.messages.get()
    assert message.kind == Message.Kind.COMMENT
    assert message.author == rita
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "Could you add **the data**?" in mail.outbox[0].body


def test_an_internal_note_stays_among_reviewers(
    client_for, rita, application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = note(client_for(rita), application)

    assert response.status_code == 302
    assert application.messages.get().kind == Message.Kind.INTERNAL_NOTE
    assert mail.outbox == []
    page = client_for(rita).get(reverse("review:application", args=[application.code]))
    assert "Their plugin has 2000 users." in page.content.decode()


def test_internal_notes_belong_to_the_team_and_the_psc_not_user_groups(
    client_for, ugo, rita
) -> None:
    application = in_community_review(groups=[UserGroupFactory(reviewers=[ugo])])
    note(client_for(rita), application, "Check their plugin downloads.")

    with assert_unchanged(application, Message):
        assert note(client_for(ugo), application).status_code == 403
    page = client_for(ugo).get(f"/review/applications/{application.code}/").content.decode()
    assert "Check their plugin downloads." not in page


@pytest.mark.parametrize("send", [reply, note])
def test_an_empty_message_is_refused(client_for, rita, application, send) -> None:
    response = send(client_for(rita), application, "   ")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not application.messages.exists()


@pytest.mark.parametrize("send", [reply, note])
@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom", "ugo"])
def test_people_who_do_not_review_it_get_a_404(
    request, client_for, application, send, persona
) -> None:
    response = send(client_for(request.getfixturevalue(persona)), application)

    assert response.status_code == 404
    assert not application.messages.exists()


@pytest.mark.parametrize("send", [reply, note])
def test_anonymous_visitors_are_sent_to_log_in(client_for, application, send) -> None:
    with assert_unchanged(application, Message):
        response = send(client_for(None), application)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["post_reply", "add_internal_note"])
def test_they_refuse_a_get(client_for, rita, application, name) -> None:
    with assert_unchanged(application, Message):
        response = client_for(rita).get(reverse(f"review:{name}", args=[application.code]))

    assert response.status_code == 405


def test_the_psc_may_write_both(client_for, paula, application) -> None:
    assert reply(client_for(paula), application).status_code == 302
    assert note(client_for(paula), application).status_code == 302
    assert application.messages.count() == 2
