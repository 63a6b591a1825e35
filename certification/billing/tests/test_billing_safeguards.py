"""Safeguards found in review: credits in trust stay within the allowance, unpaid invoices
are capped, invisible characters never break an invoice, and an invoice whose PDF went
missing is sent again."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import invoicing, ledger, periodic, tasks
from certification.billing.documents import facturx_xml, render_invoice_pdf
from certification.billing.invoicing import InvoiceError
from certification.billing.models import BillingAccount, CreditEntry, Invoice, Order
from certification.billing.tests.factories import BillingAccountFactory, invoice_for
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

BUY = "/dashboard/organisations/geoskolan/billing/buy/confirm/"


def test_credits_in_trust_stay_within_the_allowance(alice_org: Organisation, tom: User) -> None:
    BillingAccountFactory(organisation=alice_org)
    ledger.set_allowance(alice_org, by=tom, allowance=10)

    first = invoice_for(alice_org, quantity=8)
    second = invoice_for(alice_org, quantity=5)

    assert first.order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).exists()
    assert not second.order.credit_entries.exists()  # 8 + 5 is beyond the 10 trusted
    assert ledger.balance(alice_org) == 8
    invoicing.record_payment(first, amount=first.total_amount, received_on=first.issued_on)
    third = invoice_for(alice_org, quantity=10)
    assert third.order.credit_entries.exists()  # the first is paid: 10 in trust again


def test_unpaid_invoices_are_capped(client_for, alice: User, alice_org: Organisation) -> None:
    for _ in range(invoicing.MAX_OPEN_INVOICE_ORDERS):
        invoice_for(alice_org, quantity=1, by=alice)

    response = client_for(alice).post(BUY, {"quantity": "1", "method": "invoice"}, follow=True)

    assert "unpaid invoices" in response.content.decode()
    assert Invoice.objects.count() == invoicing.MAX_OPEN_INVOICE_ORDERS
    with pytest.raises(InvoiceError):
        invoicing.check_open_invoices(alice_org)


def test_an_order_and_its_invoice_are_made_together_or_not_at_all(
    client_for, alice: User, alice_org: Organisation, monkeypatch
) -> None:
    BillingAccountFactory(organisation=alice_org)

    def fail(*args, **kwargs):
        raise InvoiceError("The invoice could not be issued.")

    monkeypatch.setattr(invoicing, "issue_invoice", fail)
    response = client_for(alice).post(BUY, {"quantity": "2", "method": "invoice"}, follow=True)

    assert "The invoice could not be issued." in response.content.decode()
    assert not Order.objects.exists()


def test_control_characters_in_the_billing_details_are_refused(
    client_for, alice: User, alice_org: Organisation
) -> None:
    response = client_for(alice).post(
        "/dashboard/organisations/geoskolan/billing/details/",
        {
            "billing_name": "ACME\x0bLtd",
            "billing_street": "Storgatan 1",
            "billing_city": "Göteborg",
            "billing_country": "SE",
            "billing_email": "ekonomi@geoskolan.example",
        },
    )

    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    assert not BillingAccount.objects.filter(billing_name__contains="ACME").exists()


def test_an_invisible_character_in_a_snapshot_does_not_stop_the_invoice(
    alice_org: Organisation,
) -> None:
    invoice = invoice_for(alice_org)
    invoice.buyer = {**invoice.buyer, "name": "ACME\x0bLtd\ufffe"}

    assert b"ACMELtd" in facturx_xml(invoice)
    assert render_invoice_pdf(invoice).startswith(b"%PDF")


def test_an_invoice_whose_pdf_went_missing_is_sent_again(
    alice_org: Organisation, monkeypatch
) -> None:
    invoice = invoice_for(alice_org)
    Invoice.objects.filter(pk=invoice.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    fresh = invoice_for(alice_org)
    sent: list[int] = []
    monkeypatch.setattr(tasks, "deliver_invoice", SimpleNamespace(enqueue=sent.append))

    assert periodic.deliver_missing_invoice_documents(timezone.now()) == 1
    assert sent == [invoice.pk]
    assert fresh.pk not in sent
