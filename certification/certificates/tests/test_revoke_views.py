"""Revoking a certificate: its organisation within the window, the certification team always."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.certificates.models import Certificate
from certification.certificates.services import revoke_certificate
from certification.certificates.tests.factories import approved_course, attendees_of, issue
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/dashboard/certificates/revoke/"


@pytest.fixture
def certificate(alice_org: Organisation, alice: User, bob: User) -> Certificate:
    course = approved_course(alice_org, attendees=1, trainer_user=bob)
    [certificate] = issue(course, attendees_of(course), by=alice)
    return certificate


def revoke_url(certificate: Certificate) -> str:
    return f"/dashboard/organisations/geoskolan/certificates/{certificate.code}/revoke/"


def course_page(certificate: Certificate) -> str:
    return (
        f"/dashboard/organisations/geoskolan/courses/{certificate.course.public_id}/certificates/"
    )


def after_the_window(settings) -> time_machine.travel:
    days = settings.CERTIFICATE_REVOCATION_DAYS + 1
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


# --- The organisation ---------------------------------------------------------------------


def test_the_page_explains_what_revoking_means(
    client_for, alice: User, certificate: Certificate
) -> None:
    response = client_for(alice).get(revoke_url(certificate))

    content = response.content.decode()
    assert response.status_code == 200
    assert certificate.code in content
    assert certificate.snapshot["name"] in content
    assert "Revoking cannot be undone." in content
    assert 'name="reason"' in content
    assert "Your organisation may revoke this certificate until" in content


def test_the_owner_revokes_with_a_reason(client_for, alice: User, certificate: Certificate) -> None:
    response = client_for(alice).post(
        revoke_url(certificate), {"reason": "  Issued to the wrong person.  "}, follow=True
    )

    assert response.redirect_chain == [(course_page(certificate), 302)]
    assert f"Certificate {certificate.code} is revoked." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_reason == "Issued to the wrong person."
    assert certificate.revoked_by == alice
    assert AuditEvent.objects.filter(action="certificate.revoked", actor=alice).exists()


def test_managers_revoke_too(client_for, alice_org: Organisation, certificate: Certificate) -> None:
    maria = MembershipFactory(organisation=alice_org, role=Membership.Role.MANAGER).user

    client_for(maria).post(revoke_url(certificate), {"reason": "Did not attend."})

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_it_needs_a_reason(client_for, alice: User, certificate: Certificate, reason: str) -> None:
    response = client_for(alice).post(revoke_url(certificate), {"reason": reason})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_after_the_window_the_organisation_is_sent_to_the_team(
    client_for, alice: User, certificate: Certificate, settings
) -> None:
    with after_the_window(settings):
        client = client_for(alice)  # a fresh session: the old one would have expired
        page = client.get(revoke_url(certificate)).content.decode()
        response = client.post(revoke_url(certificate), {"reason": "Too late"}, follow=True)

    assert "Now only the certification team can." in page
    assert 'href="mailto:certification@qgis.org"' in page
    assert 'name="reason"' not in page
    assert "Only the certification team can revoke a certificate after 30 days." in (
        response.content.decode()
    )
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_on_the_last_day_of_the_window_the_organisation_still_revokes(
    client_for, alice: User, certificate: Certificate, settings
) -> None:
    last_moment = certificate.issued_at + timedelta(days=settings.CERTIFICATE_REVOCATION_DAYS)
    with time_machine.travel(last_moment - timedelta(minutes=1), tick=False):
        client_for(alice).post(revoke_url(certificate), {"reason": "Wrong person"})

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_a_revoked_certificate_is_not_revoked_twice(
    client_for, alice: User, certificate: Certificate
) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    response = client_for(alice).get(revoke_url(certificate), follow=True)

    assert response.redirect_chain == [(course_page(certificate), 302)]
    assert "This certificate is already revoked." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("paula", 403), ("carol", 404), ("tom", 404), ("ugo", 404)],
)
def test_nobody_else_revokes(
    request: pytest.FixtureRequest, client_for, certificate: Certificate, persona: str, status: int
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(revoke_url(certificate)).status_code == status
    with assert_unchanged(certificate):
        assert client.post(revoke_url(certificate), {"reason": "No"}).status_code == status
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_anonymous_visitors_are_asked_to_log_in(client: Client, certificate: Certificate) -> None:
    assert client.get(revoke_url(certificate))["Location"].startswith("/accounts/login/")
    with assert_unchanged(certificate):
        response = client.post(revoke_url(certificate), {"reason": "No"})
    assert response["Location"].startswith("/accounts/login/")
    assert client.get(LOOKUP)["Location"].startswith("/accounts/login/")


def test_an_unknown_code_is_not_found(client_for, alice: User, certificate: Certificate) -> None:
    path = "/dashboard/organisations/geoskolan/certificates/QGIS-2222-2222-2222-22/revoke/"

    assert client_for(alice).get(path).status_code == 404


# --- The certification team ---------------------------------------------------------------


def test_the_team_revokes_at_any_time(
    client_for, rita: User, certificate: Certificate, settings
) -> None:
    with after_the_window(settings):
        client = client_for(rita)
        page = client.get(revoke_url(certificate)).content.decode()
        response = client.post(revoke_url(certificate), {"reason": "Fraud"}, follow=True)

    assert "As the certification team, you may revoke any certificate at any time." in page
    assert response.redirect_chain == [(course_page(certificate), 302)]
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_by == rita
    assert certificate.revocation_reason == "Fraud"


def test_the_team_finds_a_certificate_by_its_code_however_it_is_typed(
    client_for, rita: User, certificate: Certificate
) -> None:
    typed = certificate.code.lower().replace("-", " ")

    response = client_for(rita).get(LOOKUP, {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == revoke_url(certificate)


def test_the_lookup_page_shows_the_form(client_for, rita: User) -> None:
    content = client_for(rita).get(LOOKUP).content.decode()

    assert 'name="code"' in content
    assert "errorlist" not in content


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "This field is required."),
        ("QGIS-1234", "This is not a certificate code"),
        ("QGIS-2222-2222-2222-22", "No certificate has this code."),
    ],
)
def test_the_lookup_says_what_is_wrong_with_a_code(
    client_for, rita: User, code: str, message: str
) -> None:
    response = client_for(rita).get(LOOKUP, {"code": code})

    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "tom", "ugo", "paula"])
def test_only_the_team_uses_the_lookup(
    request: pytest.FixtureRequest, client_for, certificate: Certificate, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(LOOKUP, {"code": certificate.code}).status_code == 403
