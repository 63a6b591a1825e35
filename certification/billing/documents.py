"""Invoice documents: the PDF a person reads and the XML an accounting system reads, in one.

An invoice or credit note is printed as an A4 PDF/A-3 (WeasyPrint, the system Noto fonts, in
the invoice's language) that carries its Factur-X XML (a Cross Industry Invoice at the EN 16931
profile) as an attachment, so that the buyer's software can book it without retyping. An
invoice to pay in euros also shows an EPC ("GiroCode") QR code: a banking app scans it and fills
in the transfer, reference included.

Everything printed comes from the invoice row and its seller and buyer snapshots, frozen when
it was issued. Credit notes are stored with negative amounts; on paper and in the XML (type
381) they show positive amounts, as a credit note does. Amounts, dates and IBANs are written
by formatting.py, as in the emails and on the pages.

WeasyPrint and factur-x are loaded by `render_invoice_pdf` when it runs, not with this module.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext
from django_countries import countries
from lxml import etree

from certification.billing import pricing
from certification.billing.formatting import format_amount, format_date, format_iban, format_rate
from certification.billing.models import Invoice, InvoiceLine, VatTreatment
from certification.core.text import xml_safe

PDF_VARIANT = "pdf/a-3b"
FACTURX_LEVEL = "en16931"
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
QR_COLOUR = "#1d2a12"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

# UNTDID 1001 document types, UNTDID 4461 payment means, UN/ECE rec. 20 unit ("one").
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
PAYMENT_SEPA_CREDIT_TRANSFER = "58"
UNIT_ONE = "C62"

# UNCL 5305 VAT category of each treatment, with the exemption reason (text and VATEX code)
# that EN 16931 asks for when no VAT is charged.
VAT_CATEGORIES: dict[str, tuple[str, str, str]] = {
    VatTreatment.DOMESTIC: ("S", "", ""),
    VatTreatment.REVERSE_CHARGE: ("AE", "Reverse charge", "VATEX-EU-AE"),
    VatTreatment.OUTSIDE_SCOPE: ("O", "Not subject to VAT", "VATEX-EU-O"),
    VatTreatment.NOT_REGISTERED: ("O", "Not subject to VAT", "VATEX-EU-O"),
}


# --- Amounts as printed -----------------------------------------------------------------------


def _document_sign(invoice: Invoice) -> int:
    """Credit notes are stored negative and shown positive."""
    return -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1


def _amount(invoice: Invoice, value: Decimal) -> Decimal:
    # Adding zero turns the -0.00 of a credit note without VAT into 0.00.
    return pricing.money(value * _document_sign(invoice)) + 0


def _xml_amount(value: Decimal) -> str:
    return f"{pricing.money(value):.2f}"


def _xml_number(value: Decimal) -> str:
    """A quantity or a rate without trailing zeros (3, 8.1), never in exponent form."""
    return f"{value.normalize():f}"


def _xml_date(value: date) -> str:
    return value.strftime("%Y%m%d")


# --- The EPC QR code --------------------------------------------------------------------------


def epc_payload(invoice: Invoice) -> str:
    """The EPC069-12 credit transfer ("BCD", version 002, UTF-8) that pays this invoice.

    segno's `make_epc_qr` drops the amount's trailing zeros ("EUR60") and picks its own
    character set, so the payload is written out here, line by line. Raises ValueError for
    a document that cannot be paid by a euro transfer (see `has_epc_qr`).
    """
    if not has_epc_qr(invoice):
        raise ValueError(f"{invoice.number} is not an invoice to pay in euros.")
    seller = invoice.seller
    lines = [
        "BCD",  # service tag
        "002",  # version
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        seller["bic"],
        " ".join(seller["name"].split())[:70],
        seller["iban"],
        f"EUR{pricing.money(invoice.total_amount):.2f}",
        "",  # purpose
        invoice.reference,  # structured remittance: the RF creditor reference
    ]
    return "\n".join(lines)


def has_epc_qr(invoice: Invoice) -> bool:
    """Whether the document is something to pay by a euro transfer (not a credit note)."""
    return (
        invoice.kind == Invoice.Kind.INVOICE
        and invoice.currency == "EUR"
        and invoice.total_amount > 0
        and bool(invoice.seller.get("iban"))
    )


def epc_qr(invoice: Invoice) -> segno.QRCode:
    """The QR code of `epc_payload`: error correction M, as EPC069-12 requires."""
    return segno.make_qr(epc_payload(invoice).encode("utf-8"), error="m", boost_error=False)


def epc_qr_data_uri(invoice: Invoice) -> str:
    """The QR code as a PNG, one pixel per module, that the PDF prints sharp at any size."""
    return epc_qr(invoice).png_data_uri(scale=1, border=0, dark=QR_COLOUR)


# --- Factur-X (Cross Industry Invoice, EN 16931) ------------------------------------------------


def _element(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    """A child element named with its namespace prefix (`ram:ID`), with its text."""
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _date_element(
    parent: etree._Element, tag: str, value: date, *, qualified: bool = False
) -> etree._Element:
    """A date in format 102 (YYYYMMDD), as udt: or, in referenced documents, qdt:."""
    wrapper = _element(parent, tag)
    _element(
        wrapper,
        "qdt:DateTimeString" if qualified else "udt:DateTimeString",
        _xml_date(value),
        format="102",
    )
    return wrapper


def _vat_category(invoice: Invoice) -> tuple[str, str, str]:
    return VAT_CATEGORIES[VatTreatment(invoice.vat_treatment)]


def _has_country_prefix(vat_number: str) -> bool:
    # EN 16931 BR-CO-09: a VAT identifier starts with the country that issued it.
    return len(vat_number) > 2 and vat_number[:2].isalpha()


def _seller_identifier(seller: dict[str, Any]) -> str:
    """Who the seller is when the XML may not name its VAT number (BR-O-02): EN 16931 still
    wants an identifier (BR-CO-26). Its VAT number, as a plain identifier, or its name."""
    return str(seller.get("vat_number") or seller["name"])


def _trade_party(
    parent: etree._Element,
    tag: str,
    party: dict[str, Any],
    *,
    with_vat_number: bool,
    identifier: str = "",
) -> None:
    element = _element(parent, tag)
    if identifier:
        _element(element, "ram:ID", identifier)
    _element(element, "ram:Name", party["name"])
    address = _element(element, "ram:PostalTradeAddress")
    if party.get("postcode"):
        _element(address, "ram:PostcodeCode", party["postcode"])
    if party.get("street"):
        _element(address, "ram:LineOne", party["street"])
    if party.get("city"):
        _element(address, "ram:CityName", party["city"])
    _element(address, "ram:CountryID", party["country"])
    if party.get("email"):
        communication = _element(element, "ram:URIUniversalCommunication")
        _element(communication, "ram:URIID", party["email"], schemeID="EM")
    if with_vat_number and _has_country_prefix(party.get("vat_number", "")):
        registration = _element(element, "ram:SpecifiedTaxRegistration")
        _element(registration, "ram:ID", party["vat_number"], schemeID="VA")


def _trade_tax(
    parent: etree._Element, invoice: Invoice, *, basis: Decimal | None, tax: Decimal | None
) -> None:
    """An ApplicableTradeTax: on a line (no amounts) or in the breakdown (with amounts)."""
    category, reason, reason_code = _vat_category(invoice)
    element = _element(parent, "ram:ApplicableTradeTax")
    if tax is not None:
        _element(element, "ram:CalculatedAmount", _xml_amount(tax))
    _element(element, "ram:TypeCode", "VAT")
    if reason and basis is not None:
        _element(element, "ram:ExemptionReason", reason)
    if basis is not None:
        _element(element, "ram:BasisAmount", _xml_amount(basis))
    _element(element, "ram:CategoryCode", category)
    if reason_code and basis is not None:
        _element(element, "ram:ExemptionReasonCode", reason_code)
    # Outside the scope of VAT there is no rate at all (EN 16931 BR-O-05, BR-O-10).
    if category != "O":
        _element(element, "ram:RateApplicablePercent", _xml_number(invoice.vat_rate))


def _line_item(parent: etree._Element, invoice: Invoice, line: InvoiceLine) -> None:
    sign = _document_sign(invoice)
    item = _element(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _element(item, "ram:AssociatedDocumentLineDocument")
    _element(document, "ram:LineID", str(line.position))
    product = _element(item, "ram:SpecifiedTradeProduct")
    _element(product, "ram:Name", line.description)
    agreement = _element(item, "ram:SpecifiedLineTradeAgreement")
    price = _element(agreement, "ram:NetPriceProductTradePrice")
    _element(price, "ram:ChargeAmount", _xml_amount(line.unit_price))
    delivery = _element(item, "ram:SpecifiedLineTradeDelivery")
    _element(delivery, "ram:BilledQuantity", _xml_number(line.quantity * sign), unitCode=UNIT_ONE)
    settlement = _element(item, "ram:SpecifiedLineTradeSettlement")
    _trade_tax(settlement, invoice, basis=None, tax=None)
    summation = _element(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _element(summation, "ram:LineTotalAmount", _xml_amount(line.net_amount * sign))


def facturx_xml(invoice: Invoice) -> bytes:
    """The invoice as a Cross Industry Invoice (UN/CEFACT D16B) at the EN 16931 profile."""
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    category = _vat_category(invoice)[0]
    # Outside the scope of VAT, EN 16931 allows no VAT identifier for either party (BR-O-02).
    with_vat_numbers = category != "O"
    net = _amount(invoice, invoice.net_amount)
    vat = _amount(invoice, invoice.vat_amount)
    total = _amount(invoice, invoice.total_amount)

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _element(root, "rsm:ExchangedDocumentContext")
    guideline = _element(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _element(guideline, "ram:ID", EN16931_GUIDELINE)

    document = _element(root, "rsm:ExchangedDocument")
    _element(document, "ram:ID", invoice.number)
    _element(document, "ram:TypeCode", TYPE_CREDIT_NOTE if credit_note else TYPE_INVOICE)
    _date_element(document, "ram:IssueDateTime", invoice.issued_on)
    if invoice.note:
        note = _element(document, "ram:IncludedNote")
        _element(note, "ram:Content", invoice.note)

    transaction = _element(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines.all():
        _line_item(transaction, invoice, line)

    agreement = _element(transaction, "ram:ApplicableHeaderTradeAgreement")
    _trade_party(
        agreement,
        "ram:SellerTradeParty",
        invoice.seller,
        with_vat_number=with_vat_numbers,
        identifier="" if with_vat_numbers else _seller_identifier(invoice.seller),
    )
    _trade_party(agreement, "ram:BuyerTradeParty", invoice.buyer, with_vat_number=with_vat_numbers)
    _element(transaction, "ram:ApplicableHeaderTradeDelivery")

    settlement = _element(transaction, "ram:ApplicableHeaderTradeSettlement")
    if not credit_note:
        _element(settlement, "ram:PaymentReference", invoice.reference)
    _element(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    if not credit_note:
        means = _element(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _element(means, "ram:TypeCode", PAYMENT_SEPA_CREDIT_TRANSFER)
        account = _element(means, "ram:PayeePartyCreditorFinancialAccount")
        _element(account, "ram:IBANID", invoice.seller["iban"])
        if invoice.seller.get("bic"):
            institution = _element(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _element(institution, "ram:BICID", invoice.seller["bic"])
    _trade_tax(settlement, invoice, basis=net, tax=vat)
    terms = _element(settlement, "ram:SpecifiedTradePaymentTerms")
    corrected = invoice.corrects  # set on every credit note, and only there
    if corrected is not None:
        _element(terms, "ram:Description", f"Cancels invoice {corrected.number}.")
    _date_element(terms, "ram:DueDateDateTime", invoice.due_on)
    summation = _element(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _element(summation, "ram:LineTotalAmount", _xml_amount(net))
    _element(summation, "ram:TaxBasisTotalAmount", _xml_amount(net))
    _element(summation, "ram:TaxTotalAmount", _xml_amount(vat), currencyID=invoice.currency)
    _element(summation, "ram:GrandTotalAmount", _xml_amount(total))
    _element(summation, "ram:DuePayableAmount", _xml_amount(total))
    if corrected is not None:
        referenced = _element(settlement, "ram:InvoiceReferencedDocument")
        _element(referenced, "ram:IssuerAssignedID", corrected.number)
        _date_element(referenced, "ram:FormattedIssueDateTime", corrected.issued_on, qualified=True)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


# --- The PDF ------------------------------------------------------------------------------------


def _party(snapshot: dict[str, Any]) -> dict[str, Any]:
    country = snapshot.get("country", "")
    return {
        **snapshot,
        "country_name": str(countries.name(country)) if country else "",
        "postcode_city": " ".join(
            part for part in (snapshot.get("postcode", ""), snapshot.get("city", "")) if part
        ),
    }


def vat_note(invoice: Invoice) -> str:
    """What the invoice says about VAT when it charges none (the reverse-charge wording).

    An invoice froze its wording in `note` when it was issued; a credit note's `note` is the
    reason it was issued, so its VAT wording is the one of its treatment."""
    if invoice.vat_treatment == VatTreatment.DOMESTIC:
        return ""
    if invoice.kind == Invoice.Kind.INVOICE and invoice.note:
        return invoice.note
    return pricing.vat_note(invoice.vat_treatment)


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    """What the PDF shows. Call inside `translation.override(invoice.language)`."""
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    corrected = invoice.corrects  # set on every credit note, and only there
    currency = invoice.currency
    lines = [
        {
            "position": line.position,
            "description": line.description,
            "quantity": formats.number_format(
                abs(line.quantity).normalize(), use_l10n=True, force_grouping=True
            ),
            "unit_price": format_amount(line.unit_price, currency),
            "net_amount": format_amount(_amount(invoice, line.net_amount), currency),
        }
        for line in invoice.lines.all()
    ]
    seller = invoice.seller
    qr = epc_qr_data_uri(invoice) if has_epc_qr(invoice) else ""
    return {
        "language": invoice.language,
        "title": document_title(invoice),
        "credit_note": credit_note,
        "number": invoice.number,
        "issued_on": format_date(invoice.issued_on),
        "due_on": format_date(invoice.due_on),
        "corrects_number": corrected.number if corrected else "",
        "corrects_issued_on": format_date(corrected.issued_on) if corrected else "",
        "reason": invoice.note if credit_note else "",
        "seller": _party(seller),
        "buyer": _party(invoice.buyer),
        "lines": lines,
        "net_amount": format_amount(_amount(invoice, invoice.net_amount), currency),
        "vat_charged": invoice.vat_treatment == VatTreatment.DOMESTIC,
        "vat_rate": format_rate(invoice.vat_rate),
        "vat_amount": format_amount(_amount(invoice, invoice.vat_amount), currency),
        "vat_note": vat_note(invoice),
        "total_amount": format_amount(_amount(invoice, invoice.total_amount), currency),
        "iban": format_iban(seller.get("iban", "")),
        "bic": seller.get("bic", ""),
        "bank": seller.get("bank", ""),
        "reference": invoice.reference,
        "qr": qr,
    }


def document_title(invoice: Invoice) -> str:
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return gettext("Credit note %(number)s") % {"number": invoice.number}
    return gettext("Invoice %(number)s") % {"number": invoice.number}


def _pdf_language(language: str) -> str:
    return {"en": "en-GB", "sv": "sv-SE"}.get(language, language)


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF/A-3, in its language, with its Factur-X XML attached."""
    # Imported here, the one deferred import of billing: WeasyPrint takes most of a second
    # and tens of megabytes to load, and only the worker that renders a document needs it.
    # The services, pages and periodic jobs that import this module never render.
    import facturx
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    invoice = (
        Invoice.objects.select_related("corrects").prefetch_related("lines").get(pk=invoice.pk)
    )
    xml = facturx_xml(invoice)
    with translation.override(invoice.language):
        context = invoice_context(invoice)
        html = render_to_string("billing/pdf/invoice.html", context)
        font_config = FontConfiguration()
        stylesheet = CSS(
            string=render_to_string("billing/pdf/invoice.css"), font_config=font_config
        )
        metadata = {
            "author": invoice.seller["name"],
            "keywords": "Factur-X",
            "title": context["title"],
            "subject": gettext("%(title)s of %(issued_on)s from %(seller)s")
            % {
                "title": context["title"],
                "issued_on": context["issued_on"],
                "seller": invoice.seller["name"],
            },
        }
    # Only data: URLs (the QR code): rendering never reaches the network or the disk.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=PDF_VARIANT
    )
    document: bytes = facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=FACTURX_LEVEL,
        check_xsd=True,
        pdf_metadata=metadata,
        lang=_pdf_language(invoice.language),
    )
    return document
