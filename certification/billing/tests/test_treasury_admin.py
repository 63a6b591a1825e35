"""The admin shows orders, invoices, payments, statements and Stripe events, read only:
invoices are never edited or deleted there."""

from typing import Any

import pytest
from django.test import Client

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory, enable_totp
from certification.billing import statements
from certification.billing.models import Invoice, Order, Payment
from certification.billing.tests.factories import StripeEventFactory, invoice_for
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for: Any) -> Client:
    admin = UserFactory(is_superuser=True, is_staff=True)
    enable_totp(admin)
    return client_for(admin)


@pytest.fixture
def records(alice_org: Organisation, tom: User) -> dict[str, Any]:
    invoice = invoice_for(alice_org)
    statement = statements.import_statement(
        statements.build_camt053([{"amount": "60.00", "reference": invoice.reference}]),
        name="march.xml",
        by=tom,
    )
    event = StripeEventFactory.create(event_id="evt_1")
    return {
        "order": invoice.order,
        "invoice": invoice,
        "payment": Payment.objects.get(),
        "bankstatement": statement,
        "stripeevent": event,
    }


@pytest.mark.parametrize("model", ["order", "invoice", "payment", "bankstatement", "stripeevent"])
def test_money_records_are_read_only_in_the_admin(
    admin_client: Client, records: dict[str, Any], model: str
) -> None:
    record = records[model]
    base = f"/admin/billing/{model}/"

    listing = admin_client.get(base)
    detail = admin_client.get(f"{base}{record.pk}/change/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.get(f"{base}add/").status_code == 403
    with assert_unchanged(record):
        assert admin_client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
        assert admin_client.post(f"{base}{record.pk}/change/", {}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_the_invoice_shows_its_lines(admin_client: Client, records: dict[str, Any]) -> None:
    invoice: Invoice = records["invoice"]

    content = admin_client.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()

    assert "3 QGIS certificate credits" in content
    assert invoice.number in content


def test_orders_cannot_be_deleted_in_bulk(admin_client: Client, records: dict[str, Any]) -> None:
    order: Order = records["order"]

    response = admin_client.post(
        "/admin/billing/order/",
        {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"},
    )

    assert response.status_code == 200  # the list again: there is no such action
    assert Order.objects.filter(pk=order.pk).exists()
    assert "delete_selected" not in admin_client.get("/admin/billing/order/").content.decode()
