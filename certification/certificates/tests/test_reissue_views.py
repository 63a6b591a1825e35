"""Re-issuing a certificate to correct the name: free at first, later for one credit."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import ledger as billing
from certification.billing.models import CreditEntry
from certification.certificates.models import Certificate
from certification.certificates.services import revoke_certificate
from certification.certificates.tests.factories import (
    approved_course,
    attendees_of,
    give_credits,
    issue,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(alice_org: Organisation, alice: User, bob: User) -> Certificate:
    course = approved_course(alice_org, attendees=1, trainer_user=bob)
    [certificate] = issue(course, attendees_of(course), by=alice)
    return certificate


def reissue_url(certificate: Certificate) -> str:
    return f"/dashboard/organisations/geoskolan/certificates/{certificate.code}/reissue/"


def course_page(certificate: Certificate) -> str:
    return (
        f"/dashboard/organisations/geoskolan/courses/{certificate.course.public_id}/certificates/"
    )


def later(settings) -> time_machine.travel:
    days = settings.CERTIFICATE_FREE_REISSUE_DAYS + 1
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def test_the_page_says_a_correction_is_free_at_first(
    client_for, alice: User, certificate: Certificate
) -> None:
    response = client_for(alice).get(reissue_url(certificate))

    content = response.content.decode()
    assert response.context["free"] is True
    assert "Free of charge: until" in content
    assert f'value="{certificate.snapshot["name"]}"' in content
    assert "Re-issue with this name, free" in content


def test_a_free_correction_replaces_the_certificate_without_spending(
    client_for, alice: User, certificate: Certificate
) -> None:
    organisation = certificate.course.organisation
    balance = billing.balance(organisation)

    response = client_for(alice).post(
        reissue_url(certificate), {"name": "Anna-Karin  Öberg"}, follow=True
    )

    assert response.redirect_chain == [(course_page(certificate), 302)]
    certificate.refresh_from_db()
    new = certificate.replaced_by
    assert certificate.status == Certificate.Status.REVOKED
    assert new is not None
    assert new.is_valid
    assert new.snapshot["name"] == "Anna-Karin Öberg"
    assert f"Certificate {new.code}, for Anna-Karin Öberg, replaces {certificate.code}" in (
        response.content.decode()
    )
    assert billing.balance(organisation) == balance
    entries = CreditEntry.objects.filter(certificate_code__in=[certificate.code, new.code])
    assert sorted(entries.values_list("kind", "amount")) == [
        ("issuance", -1),
        ("issuance", -1),
        ("refund", 1),
    ]


def test_later_a_correction_costs_a_credit(
    client_for, alice: User, certificate: Certificate, settings
) -> None:
    organisation = certificate.course.organisation
    give_credits(organisation, 2)
    with later(settings):
        client = client_for(alice)
        page = client.get(reissue_url(certificate))
        client.post(reissue_url(certificate), {"name": "Anna Öberg"})

    assert page.context["free"] is False
    assert "the new certificate costs one credit" in page.content.decode()
    assert "Your balance is 2; you can spend 2." in page.content.decode()
    certificate.refresh_from_db()
    assert certificate.replaced_by is not None
    assert billing.balance(organisation) == 1


def test_without_credits_a_late_correction_is_refused(
    client_for, alice: User, certificate: Certificate, settings
) -> None:
    with later(settings):
        client = client_for(alice)
        page = client.get(reissue_url(certificate)).content.decode()
        response = client.post(reissue_url(certificate), {"name": "Anna Öberg"})

    assert "There are not enough credits." in page
    assert "Re-issue with this name" not in page
    assert "1 credit is needed, and 0 are available." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid
    assert certificate.attendee.name == "Attendee 001"
    assert billing.balance(certificate.course.organisation) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("Attendee 001", "The name is the same as on the certificate."),
        (" Attendee   001 ", "The name is the same as on the certificate."),
        ("x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_it_refuses_bad_names(
    client_for, alice: User, certificate: Certificate, name: str, message: str
) -> None:
    response = client_for(alice).post(reissue_url(certificate), {"name": name})

    assert response.status_code == 200
    assert message in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_a_revoked_certificate_is_not_reissued(
    client_for, alice: User, certificate: Certificate
) -> None:
    revoke_certificate(certificate, by=alice, reason="Wrong person")

    response = client_for(alice).post(reissue_url(certificate), {"name": "New"}, follow=True)

    assert response.redirect_chain == [(course_page(certificate), 302)]
    assert "Only a valid certificate can be re-issued." in response.content.decode()
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("rita", 403), ("carol", 404), ("tom", 404), ("ugo", 404)],
)
def test_only_owners_and_managers_reissue(
    request: pytest.FixtureRequest, client_for, certificate: Certificate, persona: str, status: int
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reissue_url(certificate)).status_code == status
    with assert_unchanged(certificate, Certificate):
        assert client.post(reissue_url(certificate), {"name": "New"}).status_code == status
    assert Certificate.objects.count() == 1


def test_anonymous_visitors_are_asked_to_log_in(client: Client, certificate: Certificate) -> None:
    with assert_unchanged(certificate, Certificate):
        response = client.post(reissue_url(certificate), {"name": "New"})

    assert response["Location"].startswith("/accounts/login/")
    assert Certificate.objects.count() == 1
