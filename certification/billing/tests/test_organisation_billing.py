"""An organisation's own credits page: balance, allowance and ledger, read-only."""

import pytest
from django.test import Client

from certification.accounts.models import User
from certification.billing import ledger
from certification.billing.models import Order
from certification.certificates.tests.factories import approved_course, issue
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

BILLING = "/dashboard/organisations/geoskolan/billing/"


def test_the_owner_sees_the_balance_the_allowance_and_the_ledger(
    client_for, alice: User, alice_org: Organisation, tom: User
) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=10, reason="Invoice 2026-001 paid")
    ledger.set_allowance(alice_org, by=tom, allowance=3)
    [certificate] = issue(approved_course(alice_org, attendees=1), by=alice)

    response = client_for(alice).get(BILLING)

    assert response.status_code == 200
    context = response.context
    assert (context["balance"], context["allowance"], context["spendable"]) == (10, 3, 13)
    content = response.content.decode()
    assert "Invoice 2026-001 paid" in content
    assert certificate.code in content
    assert 'href="/dashboard/organisations/geoskolan/billing/buy/"' in content
    assert "<form" not in content.split('id="main"')[1].split("</main>")[0]


def test_managers_see_it_too(client_for, alice_org: Organisation) -> None:
    maria = MembershipFactory(organisation=alice_org, role=Membership.Role.MANAGER).user

    assert client_for(maria).get(BILLING).status_code == 200


def test_it_shows_nothing_of_other_organisations(
    client_for, alice: User, alice_org: Organisation, carol_org: Organisation, tom: User
) -> None:
    ledger.adjust_credits(carol_org, by=tom, amount=7, reason="Carol's purchase")

    response = client_for(alice).get(BILLING)

    assert response.context["balance"] == 0
    assert "Carol's purchase" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("rita", 403), ("carol", 404), ("tom", 404), ("ugo", 404)],
)
def test_nobody_else_sees_it(
    request: pytest.FixtureRequest, client_for, alice_org: Organisation, persona: str, status: int
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(BILLING)

    assert response.status_code == status


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org: Organisation) -> None:
    assert client.get(BILLING)["Location"].startswith("/accounts/login/")


def test_it_is_read_only(client_for, alice: User, alice_org: Organisation) -> None:
    with assert_unchanged(alice_org, Order):
        assert client_for(alice).post(BILLING).status_code == 405
