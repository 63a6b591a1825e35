"""Bank statements: reading ISO 20022 camt.053 files and matching their credits to invoices.

A statement lists what the bank booked on the programme's account. Each credit that quotes an
invoice's structured creditor reference (RF…, ISO 11649) — in the structured remittance
information, or typed by the payer in the free text — is recorded as a payment of that
invoice. The report saved with the statement says what happened to every credit: paid in
full, paid in part (with what is still due), paid too much (with the excess), received for
an invoice that was already paid or cancelled, or matching no invoice at all.

Uploading the same statement again records nothing twice: a credit whose bank reference is
already recorded for its invoice is skipped.

The file comes from outside, so it is parsed without a DTD, entities, network access or
huge-tree mode, and a document with a DOCTYPE is refused: camt.053 never has one.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from certification.accounts.models import User
from certification.billing import invoicing, pricing
from certification.billing.formatting import compact_reference, is_creditor_reference
from certification.billing.invoicing import InvoiceError
from certification.billing.ledger import CreditError
from certification.billing.models import BankStatement, Invoice, Payment
from certification.billing.rules import require_unless_platform
from certification.core.audit import record_event

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
NAMESPACE_PATTERN = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
BUILD_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
# A reference typed by a payer: RF, two check digits, then up to 21 letters and digits,
# written at once or in groups of four.
TYPED_REFERENCE = re.compile(r"\bRF\d{2}(?:[A-Z0-9]{1,21}\b|(?: [A-Z0-9]{1,4})+)", re.IGNORECASE)


class StatementError(Exception):
    """The file cannot be read as a camt.053 statement; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One credit booked on the account."""

    amount: Decimal
    currency: str
    booked_on: date | None
    reference: str  # the RF creditor reference, normalised; "" when none was given
    bank_reference: str
    debtor: str
    remittance: str = ""  # the free text the payer wrote


@dataclass(frozen=True)
class Statement:
    statement_id: str
    entries: list[Entry] = field(default_factory=list)


# --- Reading ------------------------------------------------------------------------------


def reference_in_text(text: str) -> str:
    """The first valid RF reference a payer typed in `text`, compacted; "" if none.

    Grouped references ("RF18 5390 0754 7034") may run into the next word, so the longest
    run of groups whose check digits hold wins.
    """
    for match in TYPED_REFERENCE.finditer(text):
        groups = match.group(0).split()
        for end in range(len(groups), 0, -1):
            candidate = compact_reference("".join(groups[:end]))
            if is_creditor_reference(candidate):
                return candidate
    return ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Reader:
    """Finds elements by their local path in the document's camt.053 namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespaces = {"c": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"c:{step}" for step in path.split("/"))

    def all(self, element: Any, path: str) -> list[Any]:
        found: list[Any] = element.findall(self._path(path), self.namespaces)
        return found

    def one(self, element: Any, *paths: str) -> Any:
        for path in paths:
            found = element.find(self._path(path), self.namespaces)
            if found is not None:
                return found
        return None

    def text(self, element: Any, *paths: str) -> str:
        for path in paths:
            found = element.find(self._path(path), self.namespaces)
            if found is not None and found.text and found.text.strip():
                return " ".join(found.text.split())
        return ""


def read_camt053(data: bytes) -> Statement:
    """The statement's identity and its credit entries. Raises StatementError."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(_("The file is larger than 5 MB: it is not a bank statement."))
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except (etree.XMLSyntaxError, ValueError) as error:
        raise StatementError(
            _("This file is not XML. Download the statement from your bank as camt.053 XML.")
        ) from error
    if tree.docinfo.doctype:
        raise StatementError(_("This file is not a camt.053 bank statement."))
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not NAMESPACE_PATTERN.fullmatch(namespace):
        raise StatementError(
            _(
                "This XML file is not a camt.053 bank statement. Download the account "
                "statement (camt.053) from your bank, not a payment file or another report."
            )
        )
    reader = _Reader(namespace)
    statements = reader.all(root, "BkToCstmrStmt/Stmt")
    if not statements:
        raise StatementError(_("This camt.053 file holds no statement."))
    entries: list[Entry] = []
    identifiers: list[str] = []
    for statement in statements:
        statement_id = reader.text(statement, "Id")
        identifiers.append(statement_id)
        for number, entry in enumerate(reader.all(statement, "Ntry"), start=1):
            entries.extend(_credits(reader, entry, fallback=f"{statement_id}#{number}"))
    return Statement(statement_id=", ".join(filter(None, identifiers))[:140], entries=entries)


def parse_camt053(data: bytes) -> list[Entry]:
    """The credit entries of a camt.053 statement (any camt.053.001.xx version)."""
    return read_camt053(data).entries


def _amount(reader: _Reader, element: Any, *paths: str) -> tuple[Decimal, str] | None:
    found = reader.one(element, *paths)
    if found is None or not found.text:
        return None
    try:
        amount = Decimal(found.text.strip())
    except InvalidOperation as error:
        raise StatementError(
            _("An amount in the statement is not a number: %(value)s")
            % {"value": found.text.strip()[:40]}
        ) from error
    if not amount.is_finite() or amount <= 0:
        raise StatementError(
            _("An amount in the statement is not a positive number: %(value)s")
            % {"value": found.text.strip()[:40]}
        )
    return pricing.money(amount), (found.get("Ccy") or "").upper()[:3]


def _date(reader: _Reader, element: Any) -> date | None:
    text = reader.text(element, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise StatementError(
            _("A booking date in the statement is not a date: %(value)s") % {"value": text[:40]}
        ) from error


def _is_booked(reader: _Reader, entry: Any) -> bool:
    status = reader.text(entry, "Sts/Cd", "Sts").upper()
    return status in ("", "BOOK")


def _credits(reader: _Reader, entry: Any, *, fallback: str) -> list[Entry]:
    """The credits of one booked entry: one per transaction of a batch booking."""
    if reader.text(entry, "CdtDbtInd").upper() != "CRDT" or not _is_booked(reader, entry):
        return []
    if reader.text(entry, "RvslInd").lower() == "true":
        return []  # a reversed debit coming back, not a payment from a customer
    entry_amount = _amount(reader, entry, "Amt")
    if entry_amount is None:
        raise StatementError(_("An entry in the statement has no amount."))
    booked_on = _date(reader, entry)
    entry_reference = reader.text(entry, "AcctSvcrRef")
    transactions = reader.all(entry, "NtryDtls/TxDtls")
    if not transactions:
        return [
            Entry(
                amount=entry_amount[0],
                currency=entry_amount[1],
                booked_on=booked_on,
                reference=reference_in_text(reader.text(entry, "AddtlNtryInf")),
                bank_reference=entry_reference or fallback,
                debtor="",
                remittance=reader.text(entry, "AddtlNtryInf"),
            )
        ]
    credits = []
    for index, transaction_details in enumerate(transactions, start=1):
        if reader.text(transaction_details, "CdtDbtInd").upper() == "DBIT":
            continue
        amount = _amount(
            reader,
            transaction_details,
            "Amt",
            "AmtDtls/TxAmt/Amt",
            "AmtDtls/InstdAmt/Amt",
        )
        if amount is None:
            if len(transactions) > 1:
                raise StatementError(_("A transaction in the statement has no amount."))
            amount = entry_amount
        end_to_end = reader.text(transaction_details, "Refs/EndToEndId")
        if end_to_end.upper() == "NOTPROVIDED":
            end_to_end = ""
        bank_reference = reader.text(transaction_details, "Refs/AcctSvcrRef") or (
            entry_reference if len(transactions) == 1 else ""
        )
        if not bank_reference:
            bank_reference = end_to_end or f"{entry_reference or fallback}/{index}"
        remittance = " ".join(
            element.text.strip()
            for element in reader.all(transaction_details, "RmtInf/Ustrd")
            if element.text and element.text.strip()
        )
        structured = [
            compact_reference(element.text)
            for element in reader.all(transaction_details, "RmtInf/Strd/CdtrRefInf/Ref")
            if element.text and element.text.strip()
        ]
        reference = next(
            (ref for ref in structured if is_creditor_reference(ref)),
            structured[0] if structured else reference_in_text(remittance),
        )
        credits.append(
            Entry(
                amount=amount[0],
                currency=amount[1] or entry_amount[1],
                booked_on=booked_on,
                reference=reference[:35],
                bank_reference=bank_reference[:140],
                debtor=reader.text(
                    transaction_details,
                    "RltdPties/Dbtr/Nm",
                    "RltdPties/Dbtr/Pty/Nm",
                    "RltdPties/UltmtDbtr/Nm",
                    "RltdPties/UltmtDbtr/Pty/Nm",
                )[:140],
                remittance=remittance[:500],
            )
        )
    return credits


# --- Matching -----------------------------------------------------------------------------

REPORT_SECTIONS = ("paid", "partial", "overpaid", "settled", "duplicates", "unmatched")


def _find_invoices(entries: list[Entry]) -> tuple[dict[str, Invoice], dict[str, Invoice]]:
    """The invoices the entries name, by reference and by number, in one query."""
    references = {entry.reference for entry in entries if entry.reference}
    numbers = {number for entry in entries for number in _invoice_numbers(entry.remittance)}
    if not references and not numbers:
        return {}, {}
    invoices = Invoice.objects.filter(kind=Invoice.Kind.INVOICE).filter(
        Q(reference__in=references) | Q(number__in=numbers)
    )
    by_reference = {invoice.reference.upper(): invoice for invoice in invoices}
    by_number = {invoice.number.upper(): invoice for invoice in by_reference.values()}
    return by_reference, by_number


def _invoice_for(
    entry: Entry, by_reference: dict[str, Invoice], by_number: dict[str, Invoice]
) -> Invoice | None:
    if entry.reference and entry.reference in by_reference:
        return by_reference[entry.reference]
    for number in _invoice_numbers(entry.remittance):
        if number in by_number:
            return by_number[number]
    return None


def _invoice_numbers(text: str) -> list[str]:
    """Invoice numbers (QGIS-2026-0001) a payer quoted instead of the reference."""
    prefix = re.escape(settings.INVOICE_NUMBER_PREFIX)
    pattern = re.compile(rf"(?<![A-Z0-9]){prefix}-\d{{4}}-\d{{4,}}\b", re.IGNORECASE)
    return [match.group(0).upper() for match in pattern.finditer(text)]


def _line(entry: Entry, invoice: Invoice | None = None, **extra: str) -> dict[str, str]:
    line = {
        "amount": str(entry.amount),
        "currency": entry.currency,
        "booked_on": entry.booked_on.isoformat() if entry.booked_on else "",
        "reference": entry.reference,
        "bank_reference": entry.bank_reference,
        "debtor": entry.debtor,
        "remittance": entry.remittance,
    }
    if invoice is not None:
        line |= {
            "invoice": invoice.number,
            "invoice_id": str(invoice.public_id),
            "organisation": invoice.organisation.legal_name,
        }
    return line | extra


def _apply_entry(
    entry: Entry, invoice: Invoice, *, statement: BankStatement, by: User | None
) -> tuple[str, dict[str, str]]:
    """Record one credit for its invoice; which section of the report it belongs to."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)
        )
        if Payment.objects.filter(invoice=invoice, reference=entry.bank_reference).exists():
            return "duplicates", _line(entry, invoice)
        if invoice.status != Invoice.Status.OPEN:
            return "settled", _line(entry, invoice, status=invoice.status)
        if entry.currency and entry.currency != invoice.currency:
            return "unmatched", _line(
                entry,
                invoice,
                reason=_("Paid in %(paid)s, but the invoice is in %(invoiced)s.")
                % {"paid": entry.currency, "invoiced": invoice.currency},
            )
        try:
            invoicing.record_payment(
                invoice,
                amount=entry.amount,
                received_on=entry.booked_on or timezone.localdate(),
                reference=entry.bank_reference,
                by=by,
                statement=statement,
            )
        except (InvoiceError, CreditError) as error:
            return "unmatched", _line(entry, invoice, reason=str(error))
        paid = invoicing.amount_paid(invoice)
        difference = paid - invoice.total_amount
        if difference < 0:
            return "partial", _line(entry, invoice, remainder=str(-difference))
        if difference > 0:
            return "overpaid", _line(entry, invoice, excess=str(difference))
        return "paid", _line(entry, invoice)


def apply_statement(
    statement: BankStatement, entries: list[Entry], by: User | None
) -> dict[str, Any]:
    """Match each credit to its invoice, record the payments, and save the report."""
    report: dict[str, Any] = {section: [] for section in REPORT_SECTIONS}
    by_reference, by_number = _find_invoices(entries)
    with transaction.atomic():
        for entry in entries:
            invoice = _invoice_for(entry, by_reference, by_number)
            if invoice is None:
                reason = (
                    _("No invoice has this reference.")
                    if entry.reference
                    else _("The payer gave no invoice reference.")
                )
                report["unmatched"].append(_line(entry, reason=reason))
                continue
            section, line = _apply_entry(entry, invoice, statement=statement, by=by)
            report[section].append(line)
        report["entries"] = len(entries)
        report["recorded"] = sum(len(report[key]) for key in ("paid", "partial", "overpaid"))
        report["totals"] = _totals(entries)
        statement.report = report
        statement.save(update_fields=["report"])
        record_event(
            "billing.statement_applied",
            actor=by,
            target=statement,
            data={section: len(report[section]) for section in REPORT_SECTIONS},
        )
    return report


def _totals(entries: Iterable[Entry]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.currency] = totals.get(entry.currency, Decimal("0.00")) + entry.amount
    return {currency: str(pricing.money(amount)) for currency, amount in sorted(totals.items())}


def import_statement(data: bytes, *, name: str, by: User | None) -> BankStatement:
    """Read, store and apply an uploaded statement. Raises StatementError for a bad file."""
    require_unless_platform(by, "treasury.manage")
    parsed = read_camt053(data)
    with transaction.atomic():
        statement = BankStatement(
            original_name=name[:255], statement_id=parsed.statement_id, uploaded_by=by
        )
        statement.file.save(_storage_name(name), ContentFile(data), save=False)
        try:
            statement.save()
            apply_statement(statement, parsed.entries, by)
        except BaseException:
            statement.file.delete(save=False)
            raise
        record_event(
            "billing.statement_uploaded",
            actor=by,
            target=statement,
            data={"name": statement.original_name, "entries": len(parsed.entries)},
        )
    return statement


def _storage_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.rsplit("/", 1)[-1]).strip("-.")[:80]
    return (stem or "statement").removesuffix(".xml") + ".xml"


# --- Writing (tests, demo data) -----------------------------------------------------------


def build_camt053(
    entries: Iterable[Mapping[str, Any]],
    *,
    statement_id: str = "",
    iban: str = "",
    created_at: datetime | None = None,
) -> bytes:
    """A minimal valid camt.053.001.02 statement with one booked entry per dict.

    Each dict has `amount` (Decimal or text), and optionally `currency` ("EUR"),
    `booking_date` (a date or ISO text; today), `reference` (the RF reference, sent as
    structured remittance information), `unstructured` (free text the payer typed),
    `bank_reference` (the bank's AcctSvcrRef), `debtor_name`, and `debit` (True for money
    going out). The same entries give the same statement id.
    """
    entries = list(entries)
    created_at = created_at or timezone.now()
    iban = iban or settings.BANK_IBAN
    rows = [_normalised_row(row) for row in entries]
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:12].upper()
    statement_id = statement_id or f"STMT-{digest}"
    ns = BUILD_NAMESPACE

    def element(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
        child = etree.SubElement(parent, f"{{{ns}}}{tag}", attributes)
        if text is not None:
            child.text = text
        return child

    document = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    report = element(document, "BkToCstmrStmt")
    header = element(report, "GrpHdr")
    element(header, "MsgId", f"MSG-{digest}")
    element(header, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    statement = element(report, "Stmt")
    element(statement, "Id", statement_id)
    element(statement, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    account = element(element(statement, "Acct"), "Id")
    element(account, "IBAN", iban)
    currency = rows[0]["currency"] if rows else "EUR"
    closing = sum((row["amount"] * (-1 if row["debit"] else 1) for row in rows), Decimal("0.00"))
    balance = element(statement, "Bal")
    element(element(element(balance, "Tp"), "CdOrPrtry"), "Cd", "CLBD")
    element(balance, "Amt", f"{abs(closing):.2f}", Ccy=currency)
    element(balance, "CdtDbtInd", "DBIT" if closing < 0 else "CRDT")
    last_day = max((row["booking_date"] for row in rows), default=created_at.date())
    element(element(balance, "Dt"), "Dt", last_day.isoformat())
    for number, row in enumerate(rows, start=1):
        entry = element(statement, "Ntry")
        element(entry, "NtryRef", str(number))
        element(entry, "Amt", f"{row['amount']:.2f}", Ccy=row["currency"])
        element(entry, "CdtDbtInd", "DBIT" if row["debit"] else "CRDT")
        element(entry, "Sts", "BOOK")
        element(element(entry, "BookgDt"), "Dt", row["booking_date"].isoformat())
        element(element(entry, "ValDt"), "Dt", row["booking_date"].isoformat())
        element(entry, "AcctSvcrRef", row["bank_reference"])
        domain = element(element(entry, "BkTxCd"), "Domn")
        element(domain, "Cd", "PMNT")
        family = element(domain, "Fmly")
        element(family, "Cd", "ICDT" if row["debit"] else "RCDT")
        element(family, "SubFmlyCd", "ESCT")
        details = element(element(entry, "NtryDtls"), "TxDtls")
        refs = element(details, "Refs")
        element(refs, "AcctSvcrRef", row["bank_reference"])
        element(refs, "EndToEndId", "NOTPROVIDED")
        transaction_amount = element(element(details, "AmtDtls"), "TxAmt")
        element(transaction_amount, "Amt", f"{row['amount']:.2f}", Ccy=row["currency"])
        if row["debtor_name"]:
            parties = element(details, "RltdPties")
            element(element(parties, "Dbtr"), "Nm", row["debtor_name"])
        if row["reference"] or row["unstructured"]:
            remittance = element(details, "RmtInf")
            if row["unstructured"]:
                element(remittance, "Ustrd", row["unstructured"])
            if row["reference"]:
                creditor_reference = element(element(remittance, "Strd"), "CdtrRefInf")
                kind = element(element(creditor_reference, "Tp"), "CdOrPrtry")
                element(kind, "Cd", "SCOR")
                element(creditor_reference, "Ref", row["reference"])
    xml: bytes = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _normalised_row(row: Mapping[str, Any]) -> dict[str, Any]:
    booking_date = row.get("booking_date") or timezone.localdate()
    if isinstance(booking_date, str):
        booking_date = date.fromisoformat(booking_date)
    amount = pricing.money(Decimal(str(row["amount"])))
    reference = str(row.get("reference") or "")
    return {
        "amount": amount,
        "currency": str(row.get("currency") or "EUR").upper(),
        "booking_date": booking_date,
        "reference": reference,
        "unstructured": str(row.get("unstructured") or "")[:140],
        "bank_reference": str(
            row.get("bank_reference")
            or hashlib.sha256(f"{booking_date}{amount}{reference}".encode()).hexdigest()[:16]
        ),
        "debtor_name": str(row.get("debtor_name") or "")[:140],
        "debit": bool(row.get("debit")),
    }
