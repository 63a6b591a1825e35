"""billing/rules.py: who sees and buys an organisation's credits, who keeps the treasury; and
the services that refuse whoever their rule does not allow, whatever page they come from."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.accounts.tests.factories import UserFactory
from certification.billing import invoicing, ledger, orders, statements, stripe_payments
from certification.billing.models import BankStatement, CreditEntry, Invoice, Order, Payment
from certification.billing.tests.factories import BillingAccountFactory, invoice_for, order_for
from certification.billing.tests.fakes import use_fake_stripe
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

PERSONAS = ["alice", "maria", "bob", "carol", "rita", "tom", "ugo", "paula"]


def who_may(request: pytest.FixtureRequest, action: str, obj: object = None) -> set[str]:
    return {name for name in PERSONAS if can(request.getfixturevalue(name), action, obj)}


# --- The rules --------------------------------------------------------------------------------


def test_owners_and_managers_see_and_buy_their_organisations_credits(
    request: pytest.FixtureRequest, alice_org: Organisation
) -> None:
    assert who_may(request, "billing.view", alice_org) == {"alice", "maria"}
    assert who_may(request, "billing.buy", alice_org) == {"alice", "maria"}


def test_nobody_sees_another_organisations_billing(
    request: pytest.FixtureRequest, carol_org: Organisation
) -> None:
    assert who_may(request, "billing.view", carol_org) == {"carol"}
    assert who_may(request, "billing.buy", carol_org) == {"carol"}


def test_only_the_treasurer_keeps_the_treasury(request: pytest.FixtureRequest) -> None:
    assert who_may(request, "treasury.view") == {"tom"}
    assert who_may(request, "treasury.manage") == {"tom"}


def test_a_treasurer_without_two_factor_authentication_keeps_nothing(db: None) -> None:
    newcomer = UserFactory()
    grant_role(newcomer, GlobalRole.TREASURER, by=None, notify=False)

    assert not can(newcomer, "treasury.view")
    assert not can(newcomer, "treasury.manage")


# --- The services ask them --------------------------------------------------------------------


def test_only_the_treasurer_adjusts_credits_and_allowances(
    alice: User, alice_org: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        ledger.adjust_credits(alice_org, by=alice, amount=100, reason="Help myself")
    with pytest.raises(PermissionDenied):
        ledger.set_allowance(alice_org, by=alice, allowance=100)

    assert not CreditEntry.objects.exists()
    assert ledger.spendable(alice_org) == 0
    assert not AuditEvent.objects.filter(action__startswith="billing.").exists()


def test_the_platform_adjusts_credits_without_a_person(alice_org: Organisation) -> None:
    ledger.adjust_credits(alice_org, by=None, amount=2, reason="Demo credits")

    assert ledger.balance(alice_org) == 2


def test_only_the_treasurer_records_payments_and_issues_credit_notes(
    alice: User, alice_org: Organisation
) -> None:
    invoice = invoice_for(alice_org)

    with pytest.raises(PermissionDenied):
        invoicing.record_payment(
            invoice, amount=invoice.total_amount, received_on=date(2026, 1, 10), by=alice
        )
    with pytest.raises(PermissionDenied):
        invoicing.issue_credit_note(invoice, by=alice, reason="I changed my mind")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_only_the_treasurer_uploads_bank_statements(alice: User, alice_org: Organisation) -> None:
    invoice = invoice_for(alice_org)
    data = statements.build_camt053([{"amount": "10.00", "reference": invoice.reference}])

    with pytest.raises(PermissionDenied):
        statements.import_statement(data, name="march.xml", by=alice)

    assert not BankStatement.objects.exists()
    assert not Payment.objects.exists()


def test_trainers_and_strangers_order_nothing(
    bob: User, carol: User, alice: User, alice_org: Organisation
) -> None:
    BillingAccountFactory(organisation=alice_org)
    for person in (bob, carol):
        with pytest.raises(PermissionDenied):
            orders.create_order(alice_org, quantity=2, method=Order.Method.INVOICE, by=person)
    order = order_for(alice_org, by=alice)

    with pytest.raises(PermissionDenied):
        invoicing.issue_invoice(order, by=carol)

    assert list(Order.objects.all()) == [order]
    assert not Invoice.objects.exists()


def test_strangers_cannot_pay_another_organisations_order_by_card(
    carol: User,
    alice: User,
    alice_org: Organisation,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = use_fake_stripe(settings, monkeypatch)
    order = order_for(alice_org, method=Order.Method.CARD, by=alice)

    with pytest.raises(PermissionDenied):
        stripe_payments.start_checkout(
            order, success_url="https://x/done", cancel_url="https://x/cancelled", by=carol
        )

    order.refresh_from_db()
    assert order.stripe_session_id == ""
    assert fake.requests == []
