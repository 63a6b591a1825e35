"""CSV exports for the accountant: invoices, payments and the credit ledger."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.accounts.models import User
from certification.billing import invoicing, ledger
from certification.billing.models import Invoice
from certification.billing.tests.factories import invoice_for
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _download(client, kind: str, **params: str) -> tuple[Any, list[list[str]]]:
    response = client.get(f"/treasury/exports/{kind}.csv", params)
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return response, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def formula(tom: User) -> Organisation:
    """An organisation whose name a spreadsheet would run as a formula."""
    return OrganisationFactory(legal_name='=HYPERLINK("http://evil.example","Click")')


@pytest.fixture
def paid_invoice(formula: Organisation, tom: User) -> Invoice:
    with time_machine.travel(date(2026, 2, 3), tick=False):
        invoice = invoice_for(formula, quantity=2)
    invoicing.record_payment(
        invoice, amount=Decimal("40"), received_on=date(2026, 2, 20), reference="+TRF-1", by=tom
    )
    return invoice


def test_the_invoices_export_lists_invoices_and_credit_notes(
    client_for, tom: User, paid_invoice: Invoice, alice_org: Organisation
) -> None:
    with time_machine.travel(date(2026, 3, 1), tick=False):
        credited = invoice_for(alice_org, quantity=1)
        note = invoicing.issue_credit_note(credited, by=tom, reason="Ordered twice")

    response, rows = _download(client_for(tom), "invoices")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="qgis-certification-invoices-all.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    header, *body = rows
    assert header[:5] == ["Number", "Kind", "Issued on", "Due on", "Status"]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert list(by_number) == [paid_invoice.number, credited.number, note.number]
    first = by_number[paid_invoice.number]
    assert first["Organisation"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert (first["Total"], first["Paid"], first["Status"], first["Paid on"]) == (
        "40.00",
        "40.00",
        "Paid",
        "2026-02-20",
    )
    assert first["Issued on"] == "2026-02-03"
    assert first["Payment reference"] == paid_invoice.reference
    credit_note = by_number[note.number]
    assert (credit_note["Kind"], credit_note["Total"], credit_note["Corrects invoice"]) == (
        "Credit note",
        "-20.00",
        credited.number,
    )


def test_the_payments_export_neutralises_what_people_typed(
    client_for, tom: User, paid_invoice: Invoice
) -> None:
    _response, rows = _download(client_for(tom), "payments")

    header, row = rows
    payment = dict(zip(header, row, strict=True))
    assert payment == {
        "Received on": "2026-02-20",
        "Amount": "40.00",
        "Currency": "EUR",
        "Method": "Bank transfer",
        "Organisation": '\'=HYPERLINK("http://evil.example","Click")',
        "Invoice": paid_invoice.number,
        "Order": str(paid_invoice.order.public_id),
        "Bank reference": "'+TRF-1",
        "Bank statement": "",
        "Recorded by": "tom@example.org",
    }


def test_the_ledger_export_has_every_entry(client_for, tom: User, alice_org: Organisation) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=5, reason="-1 for the typo")
    ledger.adjust_credits(alice_org, by=tom, amount=-2, reason="Correction")

    _response, rows = _download(client_for(tom), "ledger")

    header, *body = rows
    assert header == [
        "When",
        "Organisation",
        "Kind",
        "Credits",
        "Certificate",
        "Reason",
        "Order",
        "By",
    ]
    assert [(row[1], row[2], row[3], row[5]) for row in body] == [
        ("Geoskolan AB", "Adjustment", "5", "'-1 for the typo"),
        ("Geoskolan AB", "Adjustment", "-2", "Correction"),
    ]


def test_an_export_can_be_limited_to_one_year(
    client_for, tom: User, paid_invoice: Invoice, alice_org: Organisation
) -> None:
    with time_machine.travel(date(2025, 12, 30), tick=False):
        last_year = invoice_for(alice_org)
    client = client_for(tom)

    response, rows = _download(client, "invoices", year="2025")
    _other, this_year = _download(client, "invoices", year="2026")

    assert response["Content-Disposition"] == (
        'attachment; filename="qgis-certification-invoices-2025.csv"'
    )
    assert [row[0] for row in rows[1:]] == [last_year.number]
    assert [row[0] for row in this_year[1:]] == [paid_invoice.number]


@pytest.mark.parametrize("year", ["twenty", "26", "1999"])
def test_a_bad_year_is_refused(client_for, tom: User, year: str) -> None:
    response = client_for(tom).get("/treasury/exports/invoices.csv", {"year": year})

    assert response.status_code == 400


@pytest.mark.parametrize("kind", ["invoices", "payments", "ledger"])
def test_each_export_is_one_query(
    client_for, tom: User, paid_invoice: Invoice, alice_org: Organisation, kind: str
) -> None:
    for _number in range(4):
        invoice = invoice_for(alice_org)
        invoicing.record_payment(invoice, amount=Decimal("60"), received_on=date(2026, 3, 1))
    client = client_for(tom)
    response = client.get(f"/treasury/exports/{kind}.csv")

    with CaptureQueriesContext(connection) as queries:
        lines = list(response.streaming_content)

    assert len(lines) > 2
    assert len(queries) == 1
