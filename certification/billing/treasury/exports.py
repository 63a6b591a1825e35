"""CSV files for the accountant: invoices and credit notes, payments, and the credit ledger.

UTF-8 with a byte order mark (so that spreadsheets read every script), amounts with two
decimals and a dot, one query read in chunks and streamed row by row. Text that people typed
(names, reasons, references) is neutralised so that no spreadsheet runs it as a formula;
amounts are written by this module and start with a minus sign only when negative.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.billing.models import CreditEntry, Invoice, Payment
from certification.billing.queries import with_payments
from certification.training.exports import neutralise

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Export:
    header: Callable[[], list[str]]
    rows: Callable[[int | None], QuerySet[Any]]
    row: Callable[[Any], list[str]]


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _text(value: object) -> str:
    return neutralise(str(value or ""))


def _uuid(value: object) -> str:
    return str(value) if value else ""


# --- Invoices and credit notes ------------------------------------------------------------


def _invoice_header() -> list[str]:
    return [
        _("Number"),
        _("Kind"),
        _("Issued on"),
        _("Due on"),
        _("Status"),
        _("Organisation"),
        _("Buyer"),
        _("Buyer's country"),
        _("Buyer's VAT number"),
        _("Currency"),
        _("Net amount"),
        _("VAT"),
        _("VAT rate (%)"),
        _("VAT amount"),
        _("Total"),
        _("Paid"),
        _("Paid on"),
        _("Corrects invoice"),
        _("Payment reference"),
    ]


def _invoices(year: int | None) -> QuerySet[Invoice]:
    invoices = with_payments(Invoice.objects.select_related("organisation", "corrects"))
    if year:
        invoices = invoices.filter(issued_on__year=year)
    return invoices.order_by("year", "sequence")


def _invoice_row(invoice: Any) -> list[str]:
    buyer = invoice.buyer if isinstance(invoice.buyer, dict) else {}
    return [
        _text(invoice.number),
        str(invoice.get_kind_display()),
        invoice.issued_on.isoformat(),
        invoice.due_on.isoformat(),
        str(invoice.get_status_display()),
        _text(invoice.organisation.legal_name),
        _text(buyer.get("name")),
        _text(buyer.get("country")),
        _text(buyer.get("vat_number")),
        invoice.currency,
        _amount(invoice.net_amount),
        str(invoice.get_vat_treatment_display()),
        _amount(invoice.vat_rate),
        _amount(invoice.vat_amount),
        _amount(invoice.total_amount),
        _amount(invoice.amount_paid),
        invoice.paid_on.isoformat() if invoice.paid_on else "",
        _text(invoice.corrects.number if invoice.corrects else ""),
        _text(invoice.reference),
    ]


# --- Payments -----------------------------------------------------------------------------


def _payment_header() -> list[str]:
    return [
        _("Received on"),
        _("Amount"),
        _("Currency"),
        _("Method"),
        _("Organisation"),
        _("Invoice"),
        _("Order"),
        _("Bank reference"),
        _("Bank statement"),
        _("Recorded by"),
    ]


def _payments(year: int | None) -> QuerySet[Payment]:
    payments = Payment.objects.select_related(
        "organisation", "invoice", "order", "statement", "recorded_by"
    )
    if year:
        payments = payments.filter(received_on__year=year)
    return payments.order_by("received_on", "pk")


def _payment_row(payment: Payment) -> list[str]:
    return [
        payment.received_on.isoformat(),
        _amount(payment.amount),
        payment.currency,
        str(payment.get_method_display()),
        _text(payment.organisation.legal_name),
        _text(payment.invoice.number if payment.invoice else ""),
        _uuid(payment.order.public_id if payment.order else ""),
        _text(payment.reference),
        _text(payment.statement.original_name if payment.statement else ""),
        _text(payment.recorded_by.email if payment.recorded_by else ""),
    ]


# --- The credit ledger --------------------------------------------------------------------


def _ledger_header() -> list[str]:
    return [
        _("When"),
        _("Organisation"),
        _("Kind"),
        _("Credits"),
        _("Certificate"),
        _("Reason"),
        _("Order"),
        _("By"),
    ]


def _ledger(year: int | None) -> QuerySet[CreditEntry]:
    entries = CreditEntry.objects.select_related("organisation", "order", "created_by")
    if year:
        entries = entries.filter(created_at__year=year)
    return entries.order_by("created_at", "pk")


def _ledger_row(entry: CreditEntry) -> list[str]:
    return [
        timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
        _text(entry.organisation.legal_name),
        str(entry.get_kind_display()),
        str(entry.amount),
        _text(entry.certificate_code),
        _text(entry.reason),
        _uuid(entry.order.public_id if entry.order else ""),
        _text(entry.created_by.email if entry.created_by else ""),
    ]


EXPORTS: dict[str, Export] = {
    "invoices": Export(_invoice_header, _invoices, _invoice_row),
    "payments": Export(_payment_header, _payments, _payment_row),
    "ledger": Export(_ledger_header, _ledger, _ledger_row),
}


class _Line:
    """A file-like object whose write() hands back the line csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def stream_csv(kind: str, year: int | None = None) -> Iterator[bytes]:
    """The export `kind` (invoices, payments or ledger), line by line, as UTF-8 with a BOM,
    in the language active now (the lines are written later, while the response streams)."""
    export = EXPORTS[kind]
    language = translation.get_language()

    def lines() -> Iterator[bytes]:
        with translation.override(language):
            writer = csv.writer(_Line())
            yield ("\ufeff" + writer.writerow(export.header())).encode("utf-8")
            for item in export.rows(year).iterator(chunk_size=CHUNK_SIZE):
                yield writer.writerow(export.row(item)).encode("utf-8")

    return lines()


def export_filename(kind: str, year: int | None) -> str:
    return f"qgis-certification-{kind}-{year or 'all'}.csv"
