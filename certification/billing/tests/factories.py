"""Factories for billing: an account with billing details, and orders and invoices made by
the real services (so they are priced, numbered and audited as in production).

- `BillingAccountFactory(organisation=org)` gives `org` complete billing details (updating
  the account it may already have). The default buyer is a Swedish business with a VAT
  number, which the Swiss seller of the settings invoices with the reverse charge;
  `domestic=True` makes it Swiss (VAT at the domestic rate), `outside_scope=True` American.
- `order_for(org, quantity=3)` is a pending order paid by invoice (`method=` for others).
- `invoice_for(org, quantity=3)` is that order's issued invoice.
- `PaymentFactory(organisation=org, amount=...)` is a transfer received today, matched to
  nothing; `StripeEventFactory()` a webhook event already handled.

The invoice's PDF is rendered and emailed by a task after the commit: tests that want it
run inside `django_capture_on_commit_callbacks(execute=True)`.
"""

from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import invoicing, orders
from certification.billing.models import BillingAccount, Invoice, Order, Payment, StripeEvent
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

# A well-formed Swedish VAT number (check digit included).
SWEDISH_VAT_NUMBER = "SE556036079301"


class BillingAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingAccount

    class Params:
        domestic = factory.Trait(
            billing_street="Limmatquai 12",
            billing_postcode="8001",
            billing_city="Zürich",
            billing_country="CH",
            vat_number="",
        )
        outside_scope = factory.Trait(
            billing_street="350 Fifth Avenue",
            billing_postcode="10118",
            billing_city="New York",
            billing_country="US",
            vat_number="",
        )

    organisation = factory.SubFactory(OrganisationFactory)
    billing_name = factory.LazyAttribute(lambda account: account.organisation.legal_name)
    billing_street = "Storgatan 1"
    billing_postcode = "111 22"
    billing_city = "Stockholm"
    billing_country = "SE"
    vat_number = SWEDISH_VAT_NUMBER
    billing_email = factory.LazyAttribute(
        lambda account: f"invoices@{account.organisation.slug}.example.org"
    )

    @classmethod
    def _create(cls, model_class: type[BillingAccount], *args: Any, **kwargs: Any) -> Any:
        # An organisation has one account, which the services may have created already.
        organisation = kwargs.pop("organisation")
        account, _created = model_class.objects.update_or_create(
            organisation=organisation, defaults=kwargs
        )
        return account


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    organisation = factory.SubFactory(OrganisationFactory)
    method = Payment.Method.TRANSFER
    amount = Decimal("60.00")
    received_on = factory.LazyFunction(timezone.localdate)


class StripeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StripeEvent

    event_id = factory.Sequence(lambda n: f"evt_{n}")
    type = "checkout.session.completed"


def order_for(
    organisation: Organisation,
    *,
    quantity: int = 3,
    method: str = Order.Method.INVOICE,
    by: User | None = None,
    **billing: Any,
) -> Order:
    """A pending order of `quantity` credits, after giving `organisation` billing details
    (`billing` goes to BillingAccountFactory: `domestic=True`, `vat_number=""`, …)."""
    BillingAccountFactory(organisation=organisation, **billing)
    return orders.create_order(organisation, quantity=quantity, method=method, by=by)


def invoice_for(
    organisation: Organisation, *, quantity: int = 3, by: User | None = None, **billing: Any
) -> Invoice:
    """The issued invoice of a new order paid by invoice."""
    return invoicing.issue_invoice(
        order_for(organisation, quantity=quantity, by=by, **billing), by=by
    )
