"""The treasurer's invoices: the list with its filters, one invoice with its payments and
credit notes, its PDF, recording a payment and cancelling with a credit note."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import invoicing, ledger
from certification.billing.models import Invoice, Order, Payment
from certification.billing.tests.factories import invoice_for, order_for
from certification.billing.treasury import queries as treasury_queries
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

INVOICES = "/treasury/invoices/"


@pytest.fixture
def invoice(alice_org: Organisation) -> Invoice:
    """Geoskolan's open invoice of 3 credits, 60.00 EUR."""
    return invoice_for(alice_org)


def _detail(invoice: Invoice) -> str:
    return f"{INVOICES}{invoice.public_id}/"


def _pay(invoice: Invoice, amount: str, by: User, reference: str = "") -> None:
    invoicing.record_payment(
        invoice,
        amount=Decimal(amount),
        received_on=timezone.localdate(),
        reference=reference,
        by=by,
    )


# --- The list -----------------------------------------------------------------------------


@pytest.fixture
def four_invoices(
    tom: User, alice_org: Organisation, carol_org: Organisation
) -> dict[str, Invoice]:
    today = timezone.localdate()
    open_invoice = invoice_for(alice_org)
    overdue = invoicing.issue_invoice(order_for(carol_org), today=today - timedelta(days=45))
    _pay(overdue, "25.00", tom)
    paid = invoice_for(carol_org)
    _pay(paid, "75.50", tom)
    credited = invoice_for(alice_org)
    invoicing.issue_credit_note(credited, by=tom, reason="Ordered twice")
    return {"open": open_invoice, "overdue": overdue, "paid": paid, "credited": credited}


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("all", ["credited", "paid", "open", "overdue"]),
        ("", ["credited", "paid", "open", "overdue"]),
        ("open", ["open", "overdue"]),
        ("overdue", ["overdue"]),
        ("paid", ["paid"]),
        ("credited", ["credited"]),
    ],
)
def test_it_filters_invoices_by_state(
    client_for, tom: User, four_invoices: dict[str, Invoice], show: str, expected: list[str]
) -> None:
    response = client_for(tom).get(INVOICES, {"status": show})

    shown = [invoice.pk for invoice in response.context["page"].object_list]
    # The overdue invoice was issued 45 days ago, but numbered second: newest number first.
    order = sorted(expected, key=lambda key: -four_invoices[key].sequence)
    assert shown == [four_invoices[key].pk for key in order]


def test_an_unknown_filter_shows_every_invoice(
    client_for, tom: User, four_invoices: dict[str, Invoice]
) -> None:
    response = client_for(tom).get(INVOICES, {"status": "lost"})

    assert response.context["page"].paginator.count == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [("carto", ["paid", "overdue"]), ("geoskolan", ["credited", "open"])],
)
def test_it_finds_invoices_by_organisation(
    client_for, tom: User, four_invoices: dict[str, Invoice], query: str, expected: list[str]
) -> None:
    response = client_for(tom).get(INVOICES, {"q": query})

    shown = {invoice.pk for invoice in response.context["page"].object_list}
    assert shown == {four_invoices[key].pk for key in expected}


def test_it_finds_an_invoice_by_its_number_or_its_credit_note(
    client_for, tom: User, four_invoices: dict[str, Invoice]
) -> None:
    credited = four_invoices["credited"]
    note = credited.credit_notes.get()
    client = client_for(tom)

    by_number = client.get(INVOICES, {"q": four_invoices["paid"].number})
    by_note = client.get(INVOICES, {"q": note.number})

    assert [i.pk for i in by_number.context["page"].object_list] == [four_invoices["paid"].pk]
    assert [i.pk for i in by_note.context["page"].object_list] == [credited.pk]


def test_partial_and_over_payments_are_shown(
    client_for, tom: User, four_invoices: dict[str, Invoice]
) -> None:
    response = client_for(tom).get(INVOICES)

    rows = {
        invoice.pk: (invoice.amount_paid, invoice.amount_due)
        for invoice in response.context["page"].object_list
    }
    assert rows[four_invoices["overdue"].pk] == (Decimal("25.00"), Decimal("35.00"))
    assert rows[four_invoices["paid"].pk] == (Decimal("75.50"), Decimal("-15.50"))
    assert rows[four_invoices["open"].pk] == (Decimal("0.00"), Decimal("60.00"))
    content = response.content.decode()
    assert '<span class="amount-partial">35.00</span>' in content
    assert '<span class="amount-over">15.50 paid too much</span>' in content
    assert "Partly paid" in content
    assert "Overdue" in content


def test_the_list_runs_the_same_queries_for_3_or_30_invoices(
    client_for, tom: User, django_assert_max_num_queries
) -> None:
    client = client_for(tom)

    def add_invoices(count: int) -> None:
        for _number in range(count):
            invoice = invoice_for(OrganisationFactory())
            _pay(invoice, "10.00", tom)
            invoicing.issue_credit_note(invoice_for(invoice.organisation), by=tom, reason="Twice")

    add_invoices(3)
    client.get(INVOICES)
    with CaptureQueriesContext(connection) as few:
        client.get(INVOICES)
    add_invoices(12)

    with django_assert_max_num_queries(len(few)):
        response = client.get(INVOICES)

    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 30


def test_the_list_is_paginated(
    client_for, tom: User, alice_org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(treasury_queries, "INVOICES_PER_PAGE", 2)
    invoices = [invoice_for(alice_org) for _number in range(3)]
    client = client_for(tom)

    first = client.get(INVOICES, {"status": "open"})
    second = client.get(INVOICES, {"status": "open", "page": 2})

    assert len(first.context["page"].object_list) == 2
    assert [i.pk for i in second.context["page"].object_list] == [invoices[0].pk]
    assert 'href="?status=open&amp;page=2"' in first.content.decode()


def test_an_empty_list_says_so(client_for, tom: User) -> None:
    assert "No invoices yet." in client_for(tom).get(INVOICES).content.decode()
    assert "No invoice matches." in client_for(tom).get(INVOICES, {"q": "x"}).content.decode()


# --- One invoice --------------------------------------------------------------------------


def test_the_invoice_page_shows_lines_payments_and_reminders(
    client_for, tom: User, invoice: Invoice
) -> None:
    _pay(invoice, "25.00", tom, reference="BANK-REF-1")
    Invoice.objects.filter(pk=invoice.pk).update(
        reminders_sent=2, last_reminder_on=timezone.localdate()
    )

    response = client_for(tom).get(_detail(invoice))

    content = response.content.decode()
    assert f"Invoice {invoice.number}" in content
    assert "3 QGIS certificate credits" in content
    assert "BANK-REF-1" in content
    assert "2 reminders sent" in content
    assert response.context["invoice"].amount_due == Decimal("35.00")
    assert invoice.reference in content
    assert "The PDF is not rendered yet" in content
    assert response.context["can_record_payment"]
    assert not response.context["can_credit"]
    assert "cannot be cancelled here: refund them first" in content


def test_a_credit_note_has_its_own_page_pointing_to_the_invoice(
    client_for, tom: User, invoice: Invoice
) -> None:
    note = invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice")
    client = client_for(tom)

    invoice_page = client.get(_detail(invoice)).content.decode()
    note_page = client.get(_detail(note)).content.decode()

    assert f'href="{_detail(note)}"' in invoice_page
    assert "Ordered twice" in invoice_page
    assert f"Credit note {note.number}" in note_page
    assert f'href="{_detail(invoice)}"' in note_page
    assert 'name="amount"' not in note_page


def test_the_pdf_is_downloaded_as_a_private_attachment(
    client_for, tom: User, invoice: Invoice
) -> None:
    invoice.pdf.save("invoice.pdf", ContentFile(b"%PDF-1.7 the invoice"), save=True)
    client = client_for(tom)

    page = client.get(_detail(invoice)).content.decode()
    response = client.get(_detail(invoice) + "pdf/")

    assert f'href="{_detail(invoice)}pdf/"' in page
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the invoice"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_pdf_not_rendered_yet_is_not_found(client_for, tom: User, invoice: Invoice) -> None:
    assert client_for(tom).get(_detail(invoice) + "pdf/").status_code == 404


# --- Recording a payment ------------------------------------------------------------------


def test_a_full_payment_pays_the_invoice_and_grants_the_credits(
    client_for, tom: User, invoice: Invoice, alice_org: Organisation
) -> None:
    day = timezone.localdate() - timedelta(days=1)

    response = client_for(tom).post(
        _detail(invoice) + "payment/",
        {"amount": "60.00", "received_on": day.isoformat(), "reference": " TRF-77 "},
        follow=True,
    )

    assert response.redirect_chain == [(_detail(invoice), 302)]
    assert f"Payment recorded: invoice {invoice.number} is paid." in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (Invoice.Status.PAID, day)
    payment = Payment.objects.get()
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        Decimal("60.00"),
        "TRF-77",
        tom,
    )
    assert invoice.order.status == Order.Status.PAID
    assert ledger.balance(alice_org) == 3


def test_a_partial_payment_leaves_the_invoice_open_with_the_remainder_shown(
    client_for, tom: User, invoice: Invoice, alice_org: Organisation
) -> None:
    response = client_for(tom).post(
        _detail(invoice) + "payment/",
        {"amount": "20", "received_on": timezone.localdate().isoformat()},
        follow=True,
    )

    content = response.content.decode()
    assert f"40.00 EUR of invoice {invoice.number} is still to pay." in content
    assert response.context["invoice"].amount_due == Decimal("40.00")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert ledger.balance(alice_org) == 0


def test_an_over_payment_is_recorded_and_said(client_for, tom: User, invoice: Invoice) -> None:
    response = client_for(tom).post(
        _detail(invoice) + "payment/",
        {"amount": "70.00", "received_on": timezone.localdate().isoformat()},
        follow=True,
    )

    assert "with 10.00 EUR more than its total" in response.content.decode()
    assert response.context["invoice"].amount_excess == Decimal("10.00")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0", "received_on": "2026-01-10"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "-5", "received_on": "2026-01-10"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "abc", "received_on": "2026-01-10"}, "amount", "Enter a number."),
        ({"amount": "1.005", "received_on": "2026-01-10"}, "amount", "more than 2 decimal"),
        ({"amount": "10", "received_on": ""}, "received_on", "This field is required."),
        ({"amount": "10", "received_on": "yesterday"}, "received_on", "Enter a valid date."),
        ({"amount": "10", "received_on": "2999-01-01"}, "received_on", "in the future"),
    ],
)
def test_it_refuses_bad_payments(
    client_for, tom: User, invoice: Invoice, data: dict[str, str], field: str, message: str
) -> None:
    response = client_for(tom).post(_detail(invoice) + "payment/", data)

    assert response.status_code == 200
    assert message in " ".join(response.context["payment_form"].errors[field])
    assert not Payment.objects.exists()


def test_a_cancelled_invoice_cannot_be_paid(client_for, tom: User, invoice: Invoice) -> None:
    invoicing.issue_credit_note(invoice, by=tom, reason="Ordered twice")

    response = client_for(tom).post(
        _detail(invoice) + "payment/",
        {"amount": "60.00", "received_on": timezone.localdate().isoformat()},
    )

    assert response.context["payment_form"].non_field_errors() == [
        "This invoice is cancelled: it cannot be paid."
    ]
    assert not Payment.objects.exists()


# --- Cancelling with a credit note --------------------------------------------------------


def test_cancelling_asks_for_confirmation_first(client_for, tom: User, invoice: Invoice) -> None:
    response = client_for(tom).post(
        _detail(invoice) + "credit-note/", {"reason": "Ordered <b>twice</b>"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Cancel invoice {invoice.number}?" in content
    assert "Ordered &lt;b&gt;twice&lt;/b&gt;" in content
    assert 'name="confirm" value="yes"' in content
    assert 'name="reason" value="Ordered &lt;b&gt;twice&lt;/b&gt;"' in content
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert Invoice.objects.count() == 1


def test_confirming_issues_the_credit_note(client_for, tom: User, invoice: Invoice) -> None:
    response = client_for(tom).post(
        _detail(invoice) + "credit-note/",
        {"reason": "Ordered twice", "confirm": "yes"},
        follow=True,
    )

    invoice.refresh_from_db()
    note = invoice.credit_notes.get()
    assert response.redirect_chain == [(_detail(invoice), 302)]
    assert (
        f"Invoice {invoice.number} is cancelled by credit note {note.number}."
        in response.content.decode()
    )
    assert invoice.status == Invoice.Status.CREDITED
    assert (note.total_amount, note.note, note.created_by) == (
        Decimal("-60.00"),
        "Ordered twice",
        tom,
    )
    assert invoice.order.status == Order.Status.CANCELLED


def test_a_credit_note_needs_a_reason(client_for, tom: User, invoice: Invoice) -> None:
    response = client_for(tom).post(
        _detail(invoice) + "credit-note/", {"reason": "   ", "confirm": "yes"}
    )

    assert response.context["credit_note_form"].errors["reason"] == ["This field is required."]
    assert Invoice.objects.count() == 1


def test_an_invoice_with_payments_is_not_cancelled(client_for, tom: User, invoice: Invoice) -> None:
    _pay(invoice, "10.00", tom)

    response = client_for(tom).post(
        _detail(invoice) + "credit-note/", {"reason": "Ordered twice", "confirm": "yes"}
    )

    assert response.context["credit_note_form"].non_field_errors() == [
        "This invoice has payments recorded: refund them before cancelling it."
    ]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_the_pages_have_no_inline_scripts_or_styles(
    client_for, tom: User, invoice: Invoice
) -> None:
    inline = re.compile(r"<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    client = client_for(tom)

    for response in (
        client.get("/treasury/"),
        client.get(INVOICES),
        client.get(_detail(invoice)),
        client.post(_detail(invoice) + "credit-note/", {"reason": "Twice"}),
        client.get("/treasury/statements/"),
    ):
        assert response.status_code == 200
        assert not inline.search(response.content.decode())
