"""Invoice documents: the Factur-X XML, the PDF/A-3 that carries it, and the EPC QR code.

Page 1 of each kind of invoice is also saved as a PNG under TEST_OUTPUT_DIR/invoices/ so
that a person can look at it.
"""

import io
from decimal import Decimal
from typing import Any

import facturx
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import segno
import time_machine
from django.utils import translation
from lxml import etree

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory
from certification.billing import documents, formatting, invoicing
from certification.billing.models import Invoice, VatTreatment
from certification.billing.tests.factories import SWEDISH_VAT_NUMBER, invoice_for
from certification.core.tests.pdfs import pdf_text as pages_text
from certification.core.tests.pdfs import save_png
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NS = documents.NAMESPACES
IBAN = "CH9300762011623852957"
BIC = "POFICHBEXXX"
SELLER_VAT_NUMBER = "CHE-116.281.710 MWST"
REVERSE_CHARGE_WORDING = "Reverse charge: VAT to be accounted for by the recipient"

# --- Reading the documents ----------------------------------------------------------------------


def xpath(xml: bytes, path: str) -> list[str]:
    """The text (or attribute values) at `path` in the CII document."""
    found = etree.fromstring(xml).xpath(path, namespaces=NS)
    return [item if isinstance(item, str) else (item.text or "") for item in found]


def pdf_text(pdf: bytes) -> str:
    """The text of every page, with each run of white space (no-break spaces included) as
    one space."""
    return " ".join(pages_text(pdf).split())


def printed_images(pdf: bytes) -> list[list[list[bool]]]:
    """Each image drawn on page 1, as rows of dark (True) and light pixels."""
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for image in document[0].get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]):
            pixels = image.get_bitmap(render=False).to_pil().convert("L")
            width, height = pixels.size
            images.append(
                [[pixels.getpixel((x, y)) < 128 for x in range(width)] for y in range(height)]
            )
        return images
    finally:
        document.close()


# --- Invoices of each VAT treatment ---------------------------------------------------------------


@pytest.fixture
def domestic_invoice(alice_org: Organisation) -> Invoice:
    """3 credits to a Swiss buyer: 60.00 + 8.1 % VAT (4.86) = 64.86 EUR."""
    return invoice_for(alice_org, quantity=3, domestic=True, vat_number="CHE-116.281.710")


@pytest.fixture
def reverse_charge_invoice(alice_org: Organisation) -> Invoice:
    """3 credits to a Swedish business with a VAT number: 60.00 EUR, reverse charge."""
    return invoice_for(alice_org, quantity=3)


@pytest.fixture
def outside_scope_invoice(alice_org: Organisation) -> Invoice:
    return invoice_for(alice_org, quantity=2, outside_scope=True)


@pytest.fixture
def not_registered_invoice(alice_org: Organisation, settings: Any) -> Invoice:
    settings.SELLER_VAT_REGISTERED = False
    return invoice_for(alice_org, quantity=2, domestic=True)


@pytest.fixture
def credit_note(domestic_invoice: Invoice, tom: User) -> Invoice:
    return invoicing.issue_credit_note(domestic_invoice, by=tom, reason="Ordered twice by mistake.")


def test_a_domestic_invoice_charges_vat_at_the_standard_rate(domestic_invoice: Invoice) -> None:
    xml = documents.facturx_xml(domestic_invoice)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xpath(xml, "//rsm:ExchangedDocument/ram:ID") == [domestic_invoice.number]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert xpath(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"
    ]
    breakdown = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert xpath(xml, breakdown + "ram:CategoryCode") == ["S"]
    assert xpath(xml, breakdown + "ram:RateApplicablePercent") == ["8.1"]
    assert xpath(xml, breakdown + "ram:BasisAmount") == ["60.00"]
    assert xpath(xml, breakdown + "ram:CalculatedAmount") == ["4.86"]
    assert xpath(xml, breakdown + "ram:ExemptionReason") == []
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    assert xpath(xml, totals + "ram:LineTotalAmount") == ["60.00"]
    assert xpath(xml, totals + "ram:TaxBasisTotalAmount") == ["60.00"]
    assert xpath(xml, totals + "ram:TaxTotalAmount") == ["4.86"]
    assert xpath(xml, totals + "ram:TaxTotalAmount/@currencyID") == ["EUR"]
    assert xpath(xml, totals + "ram:GrandTotalAmount") == ["64.86"]
    assert xpath(xml, totals + "ram:DuePayableAmount") == ["64.86"]
    assert xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        SELLER_VAT_NUMBER
    ]
    assert xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/@schemeID") == [
        "VA"
    ]
    assert xpath(xml, "//ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID") == ["CH"]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:Name") == ["Geoskolan AB"]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        "CHE-116.281.710"
    ]


def test_the_lines_payment_means_and_due_date_are_in_the_xml(domestic_invoice: Invoice) -> None:
    xml = documents.facturx_xml(domestic_invoice)

    line = "//ram:IncludedSupplyChainTradeLineItem/"
    assert xpath(xml, line + "ram:SpecifiedTradeProduct/ram:Name") == ["3 QGIS certificate credits"]
    assert xpath(xml, line + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == ["3"]
    assert xpath(xml, line + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == [
        "C62"
    ]
    assert xpath(xml, line + "ram:SpecifiedLineTradeAgreement//ram:ChargeAmount") == ["20.00"]
    assert xpath(xml, line + "ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount") == ["60.00"]
    assert xpath(xml, line + "ram:SpecifiedLineTradeSettlement//ram:CategoryCode") == ["S"]
    means = "//ram:SpecifiedTradeSettlementPaymentMeans/"
    assert xpath(xml, means + "ram:TypeCode") == ["58"]
    assert xpath(xml, means + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == [IBAN]
    assert xpath(xml, means + "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == [BIC]
    assert xpath(xml, "//ram:PaymentReference") == [domestic_invoice.reference]
    assert xpath(xml, "//ram:DueDateDateTime/udt:DateTimeString") == [
        domestic_invoice.due_on.strftime("%Y%m%d")
    ]
    assert xpath(xml, "//ram:IssueDateTime/udt:DateTimeString") == [
        domestic_invoice.issued_on.strftime("%Y%m%d")
    ]


def test_a_reverse_charge_invoice_says_so_and_names_both_vat_numbers(
    reverse_charge_invoice: Invoice,
) -> None:
    xml = documents.facturx_xml(reverse_charge_invoice)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    breakdown = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert xpath(xml, breakdown + "ram:CategoryCode") == ["AE"]
    assert xpath(xml, breakdown + "ram:ExemptionReason") == ["Reverse charge"]
    assert xpath(xml, breakdown + "ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    assert xpath(xml, breakdown + "ram:RateApplicablePercent") == ["0"]
    assert xpath(xml, breakdown + "ram:CalculatedAmount") == ["0.00"]
    assert xpath(xml, "//ram:GrandTotalAmount") == ["60.00"]
    assert xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [
        SELLER_VAT_NUMBER,
        SWEDISH_VAT_NUMBER,
    ]


def test_an_invoice_outside_the_scope_of_vat_carries_no_vat_identifiers(
    outside_scope_invoice: Invoice,
) -> None:
    assert outside_scope_invoice.vat_treatment == VatTreatment.OUTSIDE_SCOPE

    xml = documents.facturx_xml(outside_scope_invoice)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    breakdown = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
    assert xpath(xml, breakdown + "ram:CategoryCode") == ["O"]
    assert xpath(xml, breakdown + "ram:ExemptionReason") == ["Not subject to VAT"]
    # EN 16931: no rate and no VAT identifier when the invoice is not subject to VAT
    # (BR-O-02, BR-O-05); the seller is still identified (BR-CO-26).
    assert xpath(xml, "//ram:RateApplicablePercent") == []
    assert xpath(xml, "//ram:SpecifiedTaxRegistration") == []
    assert xpath(xml, "//ram:SellerTradeParty/ram:ID") == [SELLER_VAT_NUMBER]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == ["US"]
    assert xpath(xml, "//ram:GrandTotalAmount") == ["40.00"]


def test_an_invoice_from_a_seller_not_registered_for_vat_is_not_subject_to_vat(
    not_registered_invoice: Invoice,
) -> None:
    assert not_registered_invoice.vat_treatment == VatTreatment.NOT_REGISTERED

    xml = documents.facturx_xml(not_registered_invoice)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xpath(xml, "//ram:ApplicableHeaderTradeSettlement//ram:CategoryCode") == ["O"]
    assert xpath(xml, "//ram:ExemptionReason") == ["Not subject to VAT"]
    assert xpath(xml, "//ram:SpecifiedTaxRegistration") == []
    assert xpath(xml, "//ram:SellerTradeParty/ram:ID") == ["QGIS.ORG"]
    assert xpath(xml, "//ram:TaxTotalAmount") == ["0.00"]
    assert xpath(xml, "//ram:DuePayableAmount") == ["40.00"]


def test_a_credit_note_is_type_381_with_positive_amounts_and_refers_to_the_invoice(
    credit_note: Invoice, domestic_invoice: Invoice
) -> None:
    assert credit_note.total_amount == Decimal("-64.86")

    xml = documents.facturx_xml(credit_note)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:ID") == [credit_note.number]
    assert xpath(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == [
        domestic_invoice.number
    ]
    assert xpath(xml, "//ram:InvoiceReferencedDocument//qdt:DateTimeString") == [
        domestic_invoice.issued_on.strftime("%Y%m%d")
    ]
    assert xpath(xml, "//ram:BilledQuantity") == ["3"]
    assert xpath(xml, "//ram:ChargeAmount") == ["20.00"]
    assert xpath(xml, "//ram:LineTotalAmount") == ["60.00", "60.00"]
    assert xpath(xml, "//ram:CalculatedAmount") == ["4.86"]
    assert xpath(xml, "//ram:GrandTotalAmount") == ["64.86"]
    assert xpath(xml, "//ram:IncludedNote/ram:Content") == ["Ordered twice by mistake."]
    # Nothing to pay by transfer: no payment means and no reference to quote.
    assert xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans") == []
    assert xpath(xml, "//ram:PaymentReference") == []


# --- The PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_pdf_a_3_and_carries_the_same_xml(domestic_invoice: Invoice) -> None:
    pdf = documents.render_invoice_pdf(domestic_invoice)
    save_png(pdf, "domestic", folder="invoices")

    filename, embedded = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert embedded == documents.facturx_xml(domestic_invoice)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        with document.open_metadata() as metadata:
            assert metadata["pdfaid:part"] == "3"
            assert metadata["pdfaid:conformance"] == "B"
            assert metadata["dc:title"] == f"Invoice {domestic_invoice.number}"
        assert list(document.attachments) == ["factur-x.xml"]
        assert len(document.Root.OutputIntents) == 1
        assert len(document.pages) == 1


def test_the_pdf_shows_the_number_vat_and_totals(domestic_invoice: Invoice) -> None:
    text = pdf_text(documents.render_invoice_pdf(domestic_invoice))

    assert domestic_invoice.number in text
    assert "Geoskolan AB" in text
    assert "VAT number: CHE-116.281.710" in text
    assert "3 QGIS certificate credits" in text
    assert "Net amount 60.00 EUR" in text
    assert "VAT 8.1 % 4.86 EUR" in text
    assert "Total due 64.86 EUR" in text
    assert "IBAN CH93 0076 2011 6238 5295 7" in text
    assert f"Reference {domestic_invoice.reference}" in text
    assert "Reverse charge" not in text


def test_the_pdf_of_a_reverse_charge_invoice_has_the_wording(
    reverse_charge_invoice: Invoice,
) -> None:
    pdf = documents.render_invoice_pdf(reverse_charge_invoice)
    save_png(pdf, "reverse-charge", folder="invoices")
    text = pdf_text(pdf)

    assert f"VAT number: {SWEDISH_VAT_NUMBER}" in text
    assert "Total due 60.00 EUR" in text
    assert REVERSE_CHARGE_WORDING in text


def test_the_pdfs_outside_vat_say_why_there_is_no_vat(
    outside_scope_invoice: Invoice, not_registered_invoice: Invoice
) -> None:
    outside = documents.render_invoice_pdf(outside_scope_invoice)
    not_registered = documents.render_invoice_pdf(not_registered_invoice)
    save_png(outside, "outside-scope", folder="invoices")
    save_png(not_registered, "not-registered", folder="invoices")

    assert "Not subject to VAT in the seller's country." in pdf_text(outside)
    text = pdf_text(not_registered)
    assert "No VAT is charged: the seller is not registered for VAT." in text
    assert "VAT number" not in text
    assert "Reverse charge" not in text


def test_the_pdf_of_a_credit_note_names_the_invoice_and_the_reason(
    credit_note: Invoice, domestic_invoice: Invoice
) -> None:
    pdf = documents.render_invoice_pdf(credit_note)
    save_png(pdf, "credit-note", folder="invoices")
    text = pdf_text(pdf)

    assert f"Credit note {credit_note.number}" in text
    assert f"Corrects invoice {domestic_invoice.number}" in text
    assert "Reason: Ordered twice by mistake." in text
    assert "Total credited 64.86 EUR" in text
    assert "-64.86" not in text
    assert "How to pay" not in text
    assert printed_images(pdf) == []


def test_a_swedish_invoice_is_in_swedish(alice_org: Organisation) -> None:
    swede = UserFactory(preferred_language="sv")
    MembershipFactory(organisation=alice_org, user=swede, role=Membership.Role.MANAGER)
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        invoice = invoice_for(alice_org, quantity=3, domestic=True, by=swede)
    assert invoice.language == "sv"

    pdf = documents.render_invoice_pdf(invoice)
    save_png(pdf, "swedish", folder="invoices")
    text = pdf_text(pdf)

    # Dates, amounts and the words that have their Swedish translation already.
    assert "Utfärdat den 15 januari 2026" in text
    assert "14 februari 2026" in text
    assert "Schweiz" in text
    assert "64,86 EUR" in text
    assert "4,86 EUR" in text
    assert "Momsregistreringsnummer: CHE-116.281.710 MWST" in text
    assert "64.86" not in text
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "sv-SE"


# --- The EPC QR code ------------------------------------------------------------------------------


def test_the_epc_payload_is_a_sepa_transfer_of_the_total_with_the_reference(
    domestic_invoice: Invoice,
) -> None:
    assert documents.epc_payload(domestic_invoice).split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        BIC,
        "QGIS.ORG",
        IBAN,
        "EUR64.86",
        "",
        domestic_invoice.reference,
    ]


def test_the_epc_amount_always_has_two_decimals(reverse_charge_invoice: Invoice) -> None:
    assert documents.epc_payload(reverse_charge_invoice).split("\n")[7] == "EUR60.00"


def test_the_epc_beneficiary_name_is_cut_at_70_characters(
    alice_org: Organisation, settings: Any
) -> None:
    settings.SELLER_NAME = "Verein QGIS.ORG " + "für freie geografische Informationssysteme " * 3
    invoice = invoice_for(alice_org)

    name = documents.epc_payload(invoice).split("\n")[5]

    assert len(name) == 70
    assert name.startswith("Verein QGIS.ORG für freie")


def test_the_qr_code_printed_is_exactly_the_epc_payload(domestic_invoice: Invoice) -> None:
    expected = segno.make_qr(
        documents.epc_payload(domestic_invoice).encode("utf-8"), error="m", boost_error=False
    )

    with translation.override(domestic_invoice.language):
        context = documents.invoice_context(domestic_invoice)
    pdf = documents.render_invoice_pdf(domestic_invoice)

    assert expected.error == "M"
    assert documents.epc_qr(domestic_invoice).matrix == expected.matrix
    assert context["qr"] == documents.epc_qr_data_uri(domestic_invoice)
    assert printed_images(pdf) == [[[bool(module) for module in row] for row in expected.matrix]]


def test_a_credit_note_has_no_qr_code(credit_note: Invoice) -> None:
    assert not documents.has_epc_qr(credit_note)
    with pytest.raises(ValueError, match="not an invoice to pay in euros"):
        documents.epc_payload(credit_note)


def test_the_iban_is_printed_in_groups_of_four() -> None:
    assert formatting.format_iban("CH9300762011623852957") == "CH93 0076 2011 6238 5295 7"
    assert formatting.format_iban("de89 3704 0044 0532 0130 00") == "DE89 3704 0044 0532 0130 00"
