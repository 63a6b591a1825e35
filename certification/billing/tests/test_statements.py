"""Bank statements: reading camt.053 files safely, and matching their credits to invoices."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from certification.accounts.models import User
from certification.billing import invoicing, ledger, statements
from certification.billing.models import BankStatement, Invoice, Payment
from certification.billing.statements import StatementError
from certification.billing.tests.factories import invoice_for
from certification.core.tests.concurrency import at_once, needs_row_locks
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _spaced(reference: str) -> str:
    """A reference as a person types it from a printed invoice: groups of four, lower case."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)).lower()


# --- Reading ------------------------------------------------------------------------------


def test_it_reads_the_credits_of_a_statement_it_built() -> None:
    data = statements.build_camt053(
        [
            {
                "amount": Decimal("60.00"),
                "currency": "EUR",
                "booking_date": date(2026, 3, 2),
                "reference": "RF18 5390 0754 7034",
                "bank_reference": "BANK-0001",
                "debtor_name": "Geoskolan AB",
            },
            {"amount": "12.5", "booking_date": "2026-03-03", "debit": True},
        ],
        statement_id="2026-03-STATEMENT",
    )

    parsed = statements.read_camt053(data)

    assert parsed.statement_id == "2026-03-STATEMENT"
    assert parsed.entries == [
        statements.Entry(
            amount=Decimal("60.00"),
            currency="EUR",
            booked_on=date(2026, 3, 2),
            reference="RF18539007547034",
            bank_reference="BANK-0001",
            debtor="Geoskolan AB",
        )
    ]
    assert statements.parse_camt053(data) == parsed.entries


def test_the_same_entries_build_the_same_statement_id() -> None:
    rows = [{"amount": "10.00", "booking_date": "2026-03-02", "bank_reference": "B-1"}]

    first = statements.read_camt053(statements.build_camt053(rows)).statement_id
    second = statements.read_camt053(statements.build_camt053(rows)).statement_id

    assert first == second
    assert first.startswith("STMT-")


CAMT_053_001_08 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-05T10:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S-08</Id>
      <Ntry>
        <Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2026-03-04T09:30:00</DtTm></BookgDt>
        <AcctSvcrRef>BATCH-7</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>E2E-A</EndToEndId></Refs>
            <Amt Ccy="EUR">40.00</Amt>
            <RltdPties><Dbtr><Pty><Nm>Carto Lab Ltd</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Ustrd>Invoice RF18 5390 0754 7034 thank you</Ustrd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>TX-B</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <Amt Ccy="EUR">60.00</Amt>
            <RmtInf><Strd><CdtrRefInf><Ref>rf18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">5.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>PDNG</Cd></Sts>
        <BookgDt><Dt>2026-03-04</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_it_reads_later_versions_with_batch_bookings() -> None:
    parsed = statements.read_camt053(CAMT_053_001_08)

    assert parsed.statement_id == "S-08"
    assert [
        (e.amount, e.booked_on, e.reference, e.bank_reference, e.debtor) for e in parsed.entries
    ] == [
        (Decimal("40.00"), date(2026, 3, 4), "RF18539007547034", "E2E-A", "Carto Lab Ltd"),
        (Decimal("60.00"), date(2026, 3, 4), "RF18539007547034", "TX-B", ""),
    ]


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Invoice RF18 5390 0754 7034 thank you", "RF18539007547034"),
        ("rf18539007547034", "RF18539007547034"),
        ("RF18 5390 0754 7035", ""),  # a typing slip: the check digits do not hold
        ("Order 42", ""),
    ],
)
def test_it_finds_a_reference_a_payer_typed(text: str, reference: str) -> None:
    assert statements.reference_in_text(text) == reference


def test_it_refuses_a_file_that_is_not_xml() -> None:
    with pytest.raises(StatementError, match="This file is not XML"):
        statements.read_camt053(b"%PDF-1.7 not a statement")


def test_it_refuses_xml_that_is_not_a_camt053_statement() -> None:
    payment_order = (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        b'pain.001.001.03"><CstmrCdtTrfInitn/></Document>'
    )

    with pytest.raises(StatementError, match=r"not a camt\.053 bank statement"):
        statements.read_camt053(payment_order)


def test_an_entity_expansion_bomb_is_refused_without_expanding() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
            for n in range(1, 10)
        )
        + b']><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        b"<BkToCstmrStmt><Stmt><Id>&lol9;</Id></Stmt></BkToCstmrStmt></Document>"
    )

    # libxml2 stops the amplification itself; a DOCTYPE would be refused anyway.
    with pytest.raises(StatementError, match=r"not XML|not a camt\.053"):
        statements.read_camt053(bomb)


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RF18539007547034")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>"
    ).encode()

    with pytest.raises(StatementError):
        statements.read_camt053(document)


def test_it_refuses_an_amount_that_is_not_a_number() -> None:
    data = statements.build_camt053([{"amount": "10.00", "bank_reference": "B"}])

    with pytest.raises(StatementError, match="not a number"):
        statements.read_camt053(data.replace(b">10.00<", b">ten<"))


# --- Matching -----------------------------------------------------------------------------


@pytest.fixture
def three_invoices(alice_org: Organisation, carol_org: Organisation) -> list[Invoice]:
    """Three open invoices of 60.00 EUR (3 credits each, reverse charge)."""
    other = OrganisationFactory(legal_name="Mapas SL", slug="mapas")
    return [invoice_for(alice_org), invoice_for(carol_org), invoice_for(other)]


def _statement_for(invoices: list[Invoice]) -> bytes:
    paid_in_full, paid_in_part, paid_too_much = invoices
    return statements.build_camt053(
        [
            {
                "amount": "60.00",
                "booking_date": "2026-03-02",
                "reference": _spaced(paid_in_full.reference),
                "bank_reference": "B-1",
                "debtor_name": "Geoskolan AB",
            },
            {
                "amount": "25.00",
                "booking_date": "2026-03-02",
                "reference": paid_in_part.reference,
                "bank_reference": "B-2",
                "debtor_name": "Carto Lab Ltd",
            },
            {
                "amount": "75.50",
                "booking_date": "2026-03-03",
                "unstructured": f"Payment {_spaced(paid_too_much.reference)}",
                "bank_reference": "B-3",
                "debtor_name": "Mapas SL",
            },
            {
                "amount": "19.00",
                "booking_date": "2026-03-03",
                "reference": "RF18539007547034",
                "bank_reference": "B-4",
                "debtor_name": "Someone Else",
            },
        ]
    )


def test_it_matches_each_credit_to_its_invoice_and_reports_it(
    tom: User, three_invoices: list[Invoice]
) -> None:
    paid_in_full, paid_in_part, paid_too_much = three_invoices

    statement = statements.import_statement(
        _statement_for(three_invoices), name="march.xml", by=tom
    )

    report = statement.report
    assert [(line["invoice"], line["amount"]) for line in report["paid"]] == [
        (paid_in_full.number, "60.00")
    ]
    assert [(line["invoice"], line["remainder"]) for line in report["partial"]] == [
        (paid_in_part.number, "35.00")
    ]
    assert [(line["invoice"], line["excess"]) for line in report["overpaid"]] == [
        (paid_too_much.number, "15.50")
    ]
    assert [(line["reference"], line["debtor"]) for line in report["unmatched"]] == [
        ("RF18539007547034", "Someone Else")
    ]
    assert (report["entries"], report["recorded"], report["totals"]) == (
        4,
        3,
        {"EUR": "179.50"},
    )
    for invoice in three_invoices:
        invoice.refresh_from_db()
    assert [invoice.status for invoice in three_invoices] == ["paid", "open", "paid"]
    assert paid_in_full.paid_on == date(2026, 3, 2)
    assert invoicing.amount_paid(paid_in_part) == Decimal("25.00")
    assert set(Payment.objects.values_list("statement_id", flat=True)) == {statement.pk}
    assert ledger.balance(paid_in_full.organisation) == 3
    assert ledger.balance(paid_in_part.organisation) == 0


def test_uploading_the_same_statement_again_records_nothing_twice(
    tom: User, three_invoices: list[Invoice]
) -> None:
    data = _statement_for(three_invoices)
    statements.import_statement(data, name="march.xml", by=tom)

    again = statements.import_statement(data, name="march-again.xml", by=tom)

    assert Payment.objects.count() == 3
    assert len(again.report["duplicates"]) == 3
    assert again.report["recorded"] == 0
    assert len(again.report["unmatched"]) == 1
    assert BankStatement.objects.count() == 2


def test_money_for_an_invoice_already_paid_or_cancelled_is_reported_not_recorded(
    tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    paid = invoice_for(alice_org)
    invoicing.record_payment(paid, amount=Decimal("60.00"), received_on=date(2026, 3, 1), by=tom)
    cancelled = invoice_for(carol_org)
    invoicing.issue_credit_note(cancelled, by=tom, reason="Ordered twice")
    data = statements.build_camt053(
        [
            {"amount": "60.00", "reference": paid.reference, "bank_reference": "P-1"},
            {"amount": "60.00", "reference": cancelled.reference, "bank_reference": "C-1"},
        ]
    )

    statement = statements.import_statement(data, name="late.xml", by=tom)

    assert [(line["invoice"], line["status"]) for line in statement.report["settled"]] == [
        (paid.number, "paid"),
        (cancelled.number, "credited"),
    ]
    assert Payment.objects.count() == 1


def test_a_payer_who_quotes_the_invoice_number_is_matched_too(
    tom: User, alice_org: Organisation
) -> None:
    invoice = invoice_for(alice_org)
    data = statements.build_camt053(
        [
            {
                "amount": "60.00",
                "unstructured": f"invoice {invoice.number.lower()}",
                "bank_reference": "N-1",
            }
        ]
    )

    statement = statements.import_statement(data, name="n.xml", by=tom)

    assert [line["invoice"] for line in statement.report["paid"]] == [invoice.number]


def test_a_credit_in_another_currency_is_not_recorded(tom: User, alice_org: Organisation) -> None:
    invoice = invoice_for(alice_org)
    data = statements.build_camt053(
        [{"amount": "60.00", "currency": "CHF", "reference": invoice.reference}]
    )

    statement = statements.import_statement(data, name="chf.xml", by=tom)

    assert [line["reason"] for line in statement.report["unmatched"]] == [
        "Paid in CHF, but the invoice is in EUR."
    ]
    assert not Payment.objects.exists()


def test_a_bad_file_stores_nothing(tom: User, tmp_path: Path) -> None:
    with pytest.raises(StatementError):
        statements.import_statement(b"<html></html>", name="page.html", by=tom)

    assert not BankStatement.objects.exists()
    assert not list(tmp_path.rglob("*.xml"))


@needs_row_locks("two uploads")
@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_statement_at_once_record_each_payment_once(
    tom: User, alice_org: Organisation
) -> None:
    invoice = invoice_for(alice_org)
    data = statements.build_camt053(
        [{"amount": "60.00", "reference": invoice.reference, "bank_reference": "B-1"}]
    )

    outcomes = at_once(
        *[
            lambda name=name: statements.import_statement(data, name=name, by=tom)
            for name in ("first.xml", "second.xml")
        ]
    )

    assert all(isinstance(outcome, BankStatement) for outcome in outcomes), outcomes
    assert Payment.objects.count() == 1
    reports = sorted((len(o.report["paid"]), len(o.report["duplicates"])) for o in outcomes)
    assert reports == [(0, 1), (1, 0)]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
