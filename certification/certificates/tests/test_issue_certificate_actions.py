"""One issued certificate: downloading its PDF and emailing it again."""

import pytest
from django.core import mail
from django.test import Client

from certification.accounts.models import User
from certification.certificates.models import Certificate
from certification.certificates.services import revoke_certificate
from certification.certificates.tests.factories import (
    PDF,
    approved_course,
    attendees_of,
    delivered,
    issue,
)
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(alice_org: Organisation, bob: User) -> Course:
    return approved_course(alice_org, attendees=2, trainer_user=bob)


@pytest.fixture
def certificate(course: Course, alice: User) -> Certificate:
    [certificate] = issue(course, attendees_of(course)[:1], by=alice)
    return delivered(certificate)


def pdf_url(certificate: Certificate) -> str:
    return f"/dashboard/organisations/geoskolan/certificates/{certificate.code}/pdf/"


def resend_url(certificate: Certificate) -> str:
    return f"/dashboard/organisations/geoskolan/certificates/{certificate.code}/resend/"


def course_page(certificate: Certificate) -> str:
    return (
        f"/dashboard/organisations/geoskolan/courses/{certificate.course.public_id}/certificates/"
    )


# --- Download -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("rita", 200), ("carol", 404), ("tom", 404), ("ugo", 404)],
)
def test_who_downloads_the_pdf(
    request: pytest.FixtureRequest, client_for, certificate: Certificate, persona: str, status: int
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(pdf_url(certificate))

    assert response.status_code == status


def test_the_pdf_is_an_attachment_that_browsers_do_not_sniff(
    client_for, alice: User, certificate: Certificate
) -> None:
    response = client_for(alice).get(pdf_url(certificate))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.code}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_there_is_no_pdf_until_it_is_made(client_for, alice: User, course: Course) -> None:
    [waiting] = issue(course, attendees_of(course)[1:], by=alice)

    assert client_for(alice).get(pdf_url(waiting)).status_code == 404


def test_a_pdf_missing_from_storage_is_not_found(
    client_for, alice: User, certificate: Certificate
) -> None:
    stored = certificate.pdf.name
    assert stored
    certificate.pdf.storage.delete(stored)

    assert client_for(alice).get(pdf_url(certificate)).status_code == 404


def test_trainers_who_do_not_teach_the_course_do_not_download(
    client_for, alice: User, alice_org: Organisation, bob: User
) -> None:
    other = approved_course(alice_org, attendees=1)
    [certificate] = issue(other, by=alice)
    delivered(certificate)

    assert client_for(bob).get(pdf_url(certificate)).status_code == 403


def test_a_certificate_under_another_organisations_address_is_not_found(
    client_for, carol: User, carol_org: Organisation, certificate: Certificate
) -> None:
    path = f"/dashboard/organisations/carto-lab/certificates/{certificate.code}/pdf/"

    assert client_for(carol).get(path).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, certificate: Certificate) -> None:
    assert client.get(pdf_url(certificate))["Location"].startswith("/accounts/login/")
    with assert_unchanged(certificate):
        assert client.post(resend_url(certificate))["Location"].startswith("/accounts/login/")


# --- Resend -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_owners_and_the_course_trainers_send_the_certificate_again(
    request: pytest.FixtureRequest,
    client_for,
    certificate: Certificate,
    persona: str,
    django_capture_on_commit_callbacks,
) -> None:
    user = request.getfixturevalue(persona)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(resend_url(certificate), follow=True)

    assert response.redirect_chain == [(course_page(certificate), 302)]
    assert "is being emailed to the attendee again" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[certificate.snapshot["email"]]]
    event = AuditEvent.objects.get(action="certificate.resend_requested")
    assert event.actor == user


def test_it_goes_back_to_the_page_the_panel_was_on(
    client_for, alice: User, certificate: Certificate
) -> None:
    course_detail = f"/dashboard/organisations/geoskolan/courses/{certificate.course.public_id}/"

    response = client_for(alice).post(resend_url(certificate), {"next": course_detail})

    assert response["Location"] == course_detail


def test_it_does_not_go_back_to_another_site(
    client_for, alice: User, certificate: Certificate
) -> None:
    response = client_for(alice).post(resend_url(certificate), {"next": "https://evil.example/"})

    assert response["Location"] == course_page(certificate)


@pytest.mark.parametrize(
    ("persona", "status"), [("rita", 403), ("carol", 404), ("tom", 404), ("ugo", 404)]
)
def test_nobody_else_sends_it_again(
    request: pytest.FixtureRequest,
    client_for,
    certificate: Certificate,
    persona: str,
    status: int,
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for(request.getfixturevalue(persona))
    mail.outbox.clear()
    with assert_unchanged(certificate), django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(certificate))

    assert response.status_code == status
    assert mail.outbox == []


def test_resending_refuses_get(client_for, alice: User, certificate: Certificate) -> None:
    with assert_unchanged(certificate):
        assert client_for(alice).get(resend_url(certificate)).status_code == 405


def test_a_revoked_certificate_is_not_sent_again(
    client_for, alice: User, certificate: Certificate, django_capture_on_commit_callbacks
) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(resend_url(certificate), follow=True)

    assert "A revoked certificate is not sent again." in response.content.decode()
    assert mail.outbox == []


def test_a_certificate_still_being_made_is_sent_when_ready(
    client_for, alice: User, course: Course, django_capture_on_commit_callbacks
) -> None:
    [waiting] = issue(course, attendees_of(course)[1:], by=alice)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(resend_url(waiting), follow=True)

    assert "it is emailed as soon as it is ready" in response.content.decode()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="certificate.resend_requested").exists()
