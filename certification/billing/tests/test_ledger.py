"""The credit ledger's services: balance, spendable, adjustments, allowance, spending."""

import pytest
from django.db import transaction

from certification.accounts.models import User
from certification.billing import ledger
from certification.billing.ledger import CreditError
from certification.billing.models import BillingAccount, CreditEntry
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_new_organisation_has_nothing_to_spend(alice_org: Organisation) -> None:
    assert ledger.balance(alice_org) == 0
    assert ledger.spendable(alice_org) == 0


def test_the_balance_is_the_sum_of_the_entries(alice_org: Organisation, tom: User) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=10, reason="Paid invoice 2026-001")
    ledger.adjust_credits(alice_org, by=tom, amount=-3, reason="Duplicate purchase")

    assert ledger.balance(alice_org) == 7
    assert list(CreditEntry.objects.values_list("amount", "reason", "created_by")) == [
        (-3, "Duplicate purchase", tom.pk),
        (10, "Paid invoice 2026-001", tom.pk),
    ]
    event = AuditEvent.objects.filter(action="billing.credits_adjusted").first()
    assert event.actor == tom
    assert event.data == {"amount": -3, "reason": "Duplicate purchase"}


def test_the_balances_of_organisations_are_separate(
    alice_org: Organisation, carol_org: Organisation, tom: User
) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=5, reason="Purchase")

    assert ledger.balance(carol_org) == 0


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        (0, "Nothing", "at least one credit"),
        (5, "   ", "Give the reason"),
        (-1, "Remove one", "below the organisation's allowance"),
    ],
)
def test_it_refuses_adjustments_that_make_no_sense(
    alice_org: Organisation, tom: User, amount: int, reason: str, message: str
) -> None:
    with pytest.raises(CreditError, match=message):
        ledger.adjust_credits(alice_org, by=tom, amount=amount, reason=reason)

    assert not CreditEntry.objects.exists()


def test_the_allowance_is_spendable_and_removable_only_while_unused(
    alice_org: Organisation, tom: User
) -> None:
    ledger.set_allowance(alice_org, by=tom, allowance=3)
    assert ledger.spendable(alice_org) == 3
    ledger.adjust_credits(alice_org, by=tom, amount=-2, reason="Invoiced later")

    with pytest.raises(CreditError, match="already uses more than this allowance"):
        ledger.set_allowance(alice_org, by=tom, allowance=1)
    with pytest.raises(CreditError, match="cannot be negative"):
        ledger.set_allowance(alice_org, by=tom, allowance=-1)

    ledger.set_allowance(alice_org, by=tom, allowance=2)
    assert BillingAccount.objects.get(organisation=alice_org).allowance == 2
    assert ledger.spendable(alice_org) == 0
    assert AuditEvent.objects.filter(action="billing.allowance_set").count() == 2


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_spending_needs_the_issuing_transaction(alice_org: Organisation, tom: User) -> None:
    with pytest.raises(RuntimeError):
        ledger.spend_for_certificates(alice_org, ["QGIS-A"], by=tom)


def test_spending_takes_one_credit_per_certificate(alice_org: Organisation, tom: User) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=2, reason="Purchase")

    with transaction.atomic():
        ledger.spend_for_certificates(alice_org, ["QGIS-A", "QGIS-B"], by=tom)
    with pytest.raises(CreditError), transaction.atomic():
        ledger.spend_for_certificates(alice_org, ["QGIS-C"], by=tom)

    assert ledger.balance(alice_org) == 0
    assert sorted(
        CreditEntry.objects.filter(kind="issuance").values_list("certificate_code", flat=True)
    ) == ["QGIS-A", "QGIS-B"]
