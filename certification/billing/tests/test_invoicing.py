"""Invoicing services: prices and VAT, gap-free numbers, credit notes, payments, and the task
that stores and emails each invoice's PDF."""

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from stdnum import iso11649

from certification.accounts.models import User
from certification.billing import documents, formatting, invoicing, ledger, pricing, tasks
from certification.billing.invoicing import InvoiceError
from certification.billing.models import (
    CreditEntry,
    Invoice,
    InvoiceSeries,
    Order,
    Payment,
    VatTreatment,
)
from certification.billing.tests.factories import (
    SWEDISH_VAT_NUMBER,
    invoice_for,
    order_for,
)
from certification.core.tests.concurrency import at_once, needs_row_locks
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


# --- Prices and VAT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "vat_number", "treatment", "rate", "vat", "total"),
    [
        ("CH", "", VatTreatment.DOMESTIC, "8.10", "4.86", "64.86"),
        ("CH", "CHE-116.281.710", VatTreatment.DOMESTIC, "8.10", "4.86", "64.86"),
        ("SE", SWEDISH_VAT_NUMBER, VatTreatment.REVERSE_CHARGE, "0.00", "0.00", "60.00"),
        ("SE", "", VatTreatment.OUTSIDE_SCOPE, "0.00", "0.00", "60.00"),
        ("US", "", VatTreatment.OUTSIDE_SCOPE, "0.00", "0.00", "60.00"),
        ("GB", "GB980780684", VatTreatment.OUTSIDE_SCOPE, "0.00", "0.00", "60.00"),
    ],
)
def test_three_credits_cost_what_the_buyer_owes_in_vat(
    country: str, vat_number: str, treatment: str, rate: str, vat: str, total: str
) -> None:
    quote = pricing.quote(3, buyer_country=country, vat_number=vat_number)

    assert quote.vat_treatment == treatment
    assert quote.unit_price == Decimal("20.00")
    assert quote.net_amount == Decimal("60.00")
    assert quote.vat_rate == Decimal(rate)
    assert quote.vat_amount == Decimal(vat)
    assert quote.total_amount == Decimal(total)
    assert quote.currency == "EUR"
    amounts = [quote.unit_price, quote.net_amount, quote.vat_amount, quote.total_amount]
    assert all(type(amount) is Decimal for amount in amounts)


def test_an_eu_consumer_of_an_eu_seller_pays_the_sellers_vat(settings: Any) -> None:
    settings.SELLER_COUNTRY = "DE"
    settings.VAT_RATE_PERCENT = Decimal("19.00")

    quote = pricing.quote(3, buyer_country="SE", vat_number="")

    assert (quote.vat_treatment, quote.vat_amount, quote.total_amount) == (
        VatTreatment.DOMESTIC,
        Decimal("11.40"),
        Decimal("71.40"),
    )


def test_a_seller_not_registered_for_vat_charges_none(settings: Any) -> None:
    settings.SELLER_VAT_REGISTERED = False

    quote = pricing.quote(3, buyer_country="CH", vat_number="")

    assert quote.vat_treatment == VatTreatment.NOT_REGISTERED
    assert (quote.vat_amount, quote.total_amount) == (Decimal("0.00"), Decimal("60.00"))
    assert quote.vat_note == "No VAT is charged: the seller is not registered for VAT."


def test_vat_is_rounded_half_up_to_the_cent(settings: Any) -> None:
    settings.CERTIFICATE_PRICE_EUR = Decimal("5.00")

    # 5.00 x 8.1 % = 0.405: accountants round it up, banks' rounding (half even) would not.
    quote = pricing.quote(1, buyer_country="CH", vat_number="")

    assert (quote.vat_amount, quote.total_amount) == (Decimal("0.41"), Decimal("5.41"))


def test_the_order_keeps_the_price_of_the_quote(alice_org: Organisation, alice: User) -> None:
    order = order_for(alice_org, quantity=3, domestic=True, by=alice)

    assert (order.net_amount, order.vat_rate, order.vat_amount, order.total_amount) == (
        Decimal("60.00"),
        Decimal("8.10"),
        Decimal("4.86"),
        Decimal("64.86"),
    )
    assert order.status == Order.Status.PENDING
    assert order.buyer["name"] == "Geoskolan AB"
    assert order.buyer["country"] == "CH"


@pytest.mark.parametrize(
    ("country", "number", "error"),
    [
        ("SE", SWEDISH_VAT_NUMBER, ""),
        ("SE", "se 5560-3607.9301", ""),
        ("GR", "EL094259216", ""),
        ("SE", "", ""),
        ("SE", "SE556036079300", "This is not a valid VAT number: check it"),
        ("SE", "DE136695976", "A VAT number from SE starts with SE."),
        ("GR", "GR094259216", "A VAT number from GR starts with EL."),
        ("US", "12", "This is not a valid VAT number."),
        ("US", "12-3456789", ""),
    ],
)
def test_the_vat_number_is_checked_by_format(country: str, number: str, error: str) -> None:
    found = pricing.vat_number_error(country, number)

    if error:
        assert found.startswith(error)
    else:
        assert found == ""


def test_the_payment_reference_is_an_iso_11649_creditor_reference(
    alice_org: Organisation,
) -> None:
    invoice = invoice_for(alice_org)

    assert iso11649.is_valid(invoice.reference)
    assert invoice.reference == formatting.creditor_reference(invoice.number.replace("-", ""))
    assert invoice.reference[4:] == invoice.number.replace("-", "")
    # The example of the standard.
    assert formatting.creditor_reference("539007547034") == "RF18539007547034"


@pytest.mark.parametrize("base", ["", "QGIS-2026", "A" * 22, "ÅÄÖ1"])
def test_a_creditor_reference_needs_up_to_21_letters_and_digits(base: str) -> None:
    with pytest.raises(ValueError, match="cannot be the body of a creditor reference"):
        formatting.creditor_reference(base)


# --- Numbers without gaps --------------------------------------------------------------------------


def test_invoices_are_numbered_one_after_the_other_in_the_year(alice_org: Organisation) -> None:
    with time_machine.travel(date(2026, 3, 10), tick=False):
        invoices = [invoice_for(alice_org) for _ in range(3)]

    assert [invoice.number for invoice in invoices] == [
        "QGIS-2026-0001",
        "QGIS-2026-0002",
        "QGIS-2026-0003",
    ]
    assert [(invoice.year, invoice.sequence) for invoice in invoices] == [
        (2026, 1),
        (2026, 2),
        (2026, 3),
    ]
    assert InvoiceSeries.objects.get(year=2026).last_number == 3


def test_a_new_year_starts_a_new_series(alice_org: Organisation) -> None:
    with time_machine.travel(date(2026, 12, 31), tick=False):
        last_of_2026 = [invoice_for(alice_org), invoice_for(alice_org)]
    with time_machine.travel(date(2027, 1, 1), tick=False):
        first_of_2027 = invoice_for(alice_org)

    assert [invoice.number for invoice in last_of_2026] == ["QGIS-2026-0001", "QGIS-2026-0002"]
    assert first_of_2027.number == "QGIS-2027-0001"
    assert first_of_2027.issued_on == date(2027, 1, 1)
    assert dict(InvoiceSeries.objects.values_list("year", "last_number")) == {2026: 2, 2027: 1}


def issue_then_fail(order: Order) -> None:
    with transaction.atomic():
        invoicing.issue_invoice(order)
        raise RuntimeError("the work around the invoice failed")


def test_a_failed_transaction_does_not_use_up_a_number(alice_org: Organisation) -> None:
    abandoned = order_for(alice_org)
    with time_machine.travel(date(2026, 5, 4), tick=False):
        with pytest.raises(RuntimeError):
            issue_then_fail(abandoned)
        invoice = invoice_for(alice_org)

    assert invoice.number == "QGIS-2026-0001"
    assert not Invoice.objects.filter(order=abandoned).exists()


def test_an_order_is_invoiced_once(alice_org: Organisation) -> None:
    invoice = invoice_for(alice_org)

    assert invoice.order is not None
    with pytest.raises(InvoiceError, match="already has its invoice"):
        invoicing.issue_invoice(invoice.order)

    assert Invoice.objects.count() == 1
    assert InvoiceSeries.objects.get().last_number == 1


def test_a_card_order_gets_no_invoice_of_its_own(alice_org: Organisation) -> None:
    order = order_for(alice_org, method=Order.Method.CARD)

    with pytest.raises(InvoiceError, match="Only an order paid by invoice"):
        invoicing.issue_invoice(order)

    assert not Invoice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_allocated_inside_the_issuing_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        invoicing.allocate_number(2026)

    assert not InvoiceSeries.objects.exists()


class _DeliveryRecorder:
    """Stands in for the deliver_invoice task: remembers what it was given to deliver."""

    def __init__(self) -> None:
        self.invoice_ids: list[int] = []
        self._lock = threading.Lock()

    def enqueue(self, invoice_id: int) -> None:
        with self._lock:
            self.invoice_ids.append(invoice_id)


@needs_row_locks("two issuers")
@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_twenty_consecutive_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rendering twenty PDFs is not what this is about; they would run in these threads.
    recorder = _DeliveryRecorder()
    monkeypatch.setattr(tasks, "deliver_invoice", recorder)
    orders = [order_for(OrganisationFactory()) for _ in range(20)]

    with time_machine.travel(date(2026, 6, 1), tick=False):
        outcomes = at_once(
            *[lambda order=order: invoicing.issue_invoice(order) for order in orders]
        )

    assert all(isinstance(outcome, Invoice) for outcome in outcomes), outcomes
    numbers = sorted(outcome.number for outcome in outcomes)
    assert numbers == [f"QGIS-2026-{sequence:04d}" for sequence in range(1, 21)]
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    assert InvoiceSeries.objects.get(year=2026).last_number == 20
    assert sorted(recorder.invoice_ids) == sorted(outcome.pk for outcome in outcomes)


# --- Credit notes ----------------------------------------------------------------------------------


def test_a_credit_note_cancels_an_invoice_with_its_own_number(
    alice_org: Organisation, tom: User
) -> None:
    invoice = invoice_for(alice_org, domestic=True)

    note = invoicing.issue_credit_note(invoice, by=tom, reason="  Ordered twice.  ")

    invoice.refresh_from_db()
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.number != invoice.number
    assert note.sequence == invoice.sequence + 1
    assert note.corrects == invoice
    assert note.status == Invoice.Status.SETTLED
    assert note.note == "Ordered twice."
    assert note.reference != invoice.reference
    assert iso11649.is_valid(note.reference)
    assert (note.net_amount, note.vat_amount, note.total_amount) == (
        Decimal("-60.00"),
        Decimal("-4.86"),
        Decimal("-64.86"),
    )
    assert list(note.lines.values_list("quantity", "unit_price", "net_amount")) == [
        (Decimal("-3.00"), Decimal("20.00"), Decimal("-60.00"))
    ]
    # The invoice itself is not edited: only its status says it was cancelled.
    assert invoice.status == Invoice.Status.CREDITED
    assert (invoice.number, invoice.total_amount) == (invoice.number, Decimal("64.86"))
    assert invoice.order.status == Order.Status.CANCELLED


def test_a_credit_note_needs_a_reason(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org)

    with pytest.raises(InvoiceError, match="Give the reason"):
        invoicing.issue_credit_note(invoice, by=tom, reason="   ")

    assert Invoice.objects.count() == 1


def test_an_invoice_is_credited_once(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org)
    invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice.")

    with pytest.raises(InvoiceError, match="Only an open invoice"):
        invoicing.issue_credit_note(invoice, by=tom, reason="Again.")

    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert InvoiceSeries.objects.get().last_number == 2


def test_a_paid_invoice_cannot_be_credited(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org)
    invoicing.record_payment(invoice, amount=invoice.total_amount, received_on=date.today())

    with pytest.raises(InvoiceError, match="Only an open invoice"):
        invoicing.issue_credit_note(invoice, by=tom, reason="Too late.")

    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_a_partly_paid_invoice_cannot_be_credited(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org)
    invoicing.record_payment(invoice, amount=Decimal("10.00"), received_on=date.today())

    with pytest.raises(InvoiceError, match="refund them before cancelling"):
        invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice.")

    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_a_credit_note_takes_back_the_credits_given_in_trust(
    alice_org: Organisation, tom: User
) -> None:
    ledger.set_allowance(alice_org, by=tom, allowance=10)
    invoice = invoice_for(alice_org, quantity=3)
    assert ledger.balance(alice_org) == 3

    invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice.")

    assert ledger.balance(alice_org) == 0
    assert invoice.order.credit_entries.get(kind=CreditEntry.Kind.REVERSAL).amount == -3


# --- Payments -------------------------------------------------------------------------------------


def test_a_partial_payment_leaves_the_invoice_open(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org, domestic=True)

    payment = invoicing.record_payment(
        invoice, amount=Decimal("30.00"), received_on=date(2026, 2, 1), reference="Bank 1", by=tom
    )

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert invoicing.amount_paid(invoice) == Decimal("30.00")
    assert (payment.method, payment.amount, payment.recorded_by) == (
        Payment.Method.TRANSFER,
        Decimal("30.00"),
        tom,
    )
    assert ledger.balance(alice_org) == 0


def test_the_full_amount_pays_the_invoice_and_grants_the_credits_once(
    alice_org: Organisation, tom: User
) -> None:
    invoice = invoice_for(alice_org, quantity=3, domestic=True)
    invoicing.record_payment(invoice, amount=Decimal("30.00"), received_on=date(2026, 2, 1))

    invoicing.record_payment(invoice, amount=Decimal("34.86"), received_on=date(2026, 2, 3))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_on == date(2026, 2, 3)
    assert invoice.order.status == Order.Status.PAID
    assert ledger.balance(alice_org) == 3
    # Money that comes after (a second transfer of the same invoice) grants nothing more.
    invoicing.record_payment(invoice, amount=Decimal("64.86"), received_on=date(2026, 2, 4))
    assert ledger.balance(alice_org) == 3
    assert invoice.order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).count() == 1


def test_an_over_payment_is_recorded_as_received(alice_org: Organisation) -> None:
    invoice = invoice_for(alice_org, domestic=True)

    payment = invoicing.record_payment(invoice, amount=Decimal("100"), received_on=date(2026, 2, 1))

    invoice.refresh_from_db()
    assert payment.amount == Decimal("100.00")
    assert invoice.status == Invoice.Status.PAID
    assert invoicing.amount_paid(invoice) == Decimal("100.00")
    assert invoicing.amount_paid(invoice) - invoice.total_amount == Decimal("35.14")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), Decimal("0.004")])
def test_a_payment_is_a_positive_amount(alice_org: Organisation, amount: Decimal) -> None:
    invoice = invoice_for(alice_org)

    with pytest.raises(InvoiceError, match="positive amount"):
        invoicing.record_payment(invoice, amount=amount, received_on=date(2026, 2, 1))

    assert not Payment.objects.exists()


def test_a_cancelled_invoice_cannot_be_paid(alice_org: Organisation, tom: User) -> None:
    invoice = invoice_for(alice_org)
    note = invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice.")

    for document in (invoice, note):
        with pytest.raises(InvoiceError, match="cannot be paid"):
            invoicing.record_payment(document, amount=Decimal("60.00"), received_on=date.today())

    assert not Payment.objects.exists()


def test_an_organisation_with_an_allowance_gets_the_credits_with_the_invoice(
    alice_org: Organisation, tom: User
) -> None:
    ledger.set_allowance(alice_org, by=tom, allowance=5)

    invoice = invoice_for(alice_org, quantity=3)

    assert ledger.balance(alice_org) == 3
    assert invoice.order.status == Order.Status.PENDING
    invoicing.record_payment(invoice, amount=invoice.total_amount, received_on=date.today())
    assert ledger.balance(alice_org) == 3
    assert invoice.order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).count() == 1


def test_an_organisation_without_an_allowance_gets_the_credits_when_it_pays(
    alice_org: Organisation,
) -> None:
    invoice = invoice_for(alice_org, quantity=3)

    assert ledger.balance(alice_org) == 0
    invoicing.record_payment(invoice, amount=invoice.total_amount, received_on=date.today())
    assert ledger.balance(alice_org) == 3


# --- Delivery: the PDF stored once, and emailed ------------------------------------------------


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The invoices rendered, in order (the real renderer still does the work)."""
    rendered: list[int] = []
    real = documents.render_invoice_pdf

    def counting(invoice: Invoice) -> bytes:
        rendered.append(invoice.pk)
        return real(invoice)

    monkeypatch.setattr(tasks, "render_invoice_pdf", counting)
    return rendered


def test_the_invoice_pdf_is_stored_and_emailed_to_the_buyer(
    alice_org: Organisation,
    alice: User,
    renders: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_for(alice_org, quantity=3, domestic=True, by=alice)

    invoice.refresh_from_db()
    assert renders == [invoice.pk]
    assert invoice.pdf.name == f"invoices/{date.today():%Y}/{invoice.number}.pdf"
    with invoice.pdf.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"%PDF-")
    [message] = mail.outbox
    assert message.to == ["invoices@geoskolan.example.org"]
    assert message.reply_to == [django_settings.SELLER_EMAIL]
    assert message.subject == f"Invoice {invoice.number} from QGIS.ORG"
    assert message.attachments == [(f"{invoice.number}.pdf", stored, "application/pdf")]
    body = " ".join(message.body.split())
    assert "Total to pay: 64.86 EUR" in body
    assert f"Due on: {formatting.format_date(invoice.due_on)}" in body
    assert "IBAN: CH93 0076 2011 6238 5295 7" in body
    assert f"Reference: {invoice.reference}" in body
    assert "http://testserver/dashboard/organisations/geoskolan/billing/" in body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert invoice.reference in html
    assert "http://testserver/dashboard/organisations/geoskolan/billing/" in html


def test_a_retried_delivery_neither_renders_nor_emails_again(
    alice_org: Organisation, renders: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_for(alice_org)
    invoice.refresh_from_db()
    stored_as = invoice.pdf.name
    assert stored_as

    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.deliver_invoice.enqueue(invoice.pk)

    invoice.refresh_from_db()
    assert sent.return_value is False
    assert renders == [invoice.pk]
    assert invoice.pdf.name == stored_as
    assert len(mail.outbox) == 1
    assert len(list(invoice.pdf.storage.listdir(str(Path(stored_as).parent))[1])) == 1


def test_an_invoice_can_be_emailed_again_without_rendering_it_again(
    alice_org: Organisation, renders: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_for(alice_org)

    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.deliver_invoice.enqueue(invoice.pk, again=True)

    assert sent.return_value is True
    assert renders == [invoice.pk]
    assert [message.subject for message in mail.outbox] == [
        f"Invoice {invoice.number} from QGIS.ORG"
    ] * 2
    assert mail.outbox[0].attachments == mail.outbox[1].attachments


def test_a_pdf_missing_from_storage_is_rendered_again(
    alice_org: Organisation, renders: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_for(alice_org)
    invoice.refresh_from_db()
    assert invoice.pdf.name
    invoice.pdf.storage.delete(invoice.pdf.name)

    assert tasks.store_invoice_pdf(invoice) is True

    assert renders == [invoice.pk, invoice.pk]
    assert invoice.has_pdf


def test_without_an_invoice_address_it_goes_to_the_organisation(
    alice_org: Organisation, alice: User
) -> None:
    invoice = invoice_for(alice_org, billing_email="")

    assert tasks.invoice_recipients(invoice) == ["info@geoskolan.example.org"]
    Organisation.objects.filter(pk=alice_org.pk).update(contact_email="")
    invoice = Invoice.objects.select_related("organisation").get(pk=invoice.pk)
    assert tasks.invoice_recipients(invoice) == ["alice@example.org"]


def test_the_credit_note_email_says_which_invoice_it_cancels(
    alice_org: Organisation, tom: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_for(alice_org)
    with django_capture_on_commit_callbacks(execute=True):
        note = invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice.")

    note.refresh_from_db()
    message = mail.outbox[-1]
    assert message.subject == f"Credit note {note.number}: invoice {invoice.number} is cancelled"
    body = " ".join(message.body.split())
    assert f"It cancels invoice {invoice.number} in full" in body
    assert "Amount credited: 60.00 EUR" in body
    assert "Reason: Ordered twice." in body
    with note.pdf.open("rb") as handle:
        assert message.attachments == [(f"{note.number}.pdf", handle.read(), "application/pdf")]
