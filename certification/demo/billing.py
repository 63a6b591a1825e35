"""Demo billing: billing details, paid and open invoices, an overdue one, a card payment,
an organisation the treasurer trusts with an allowance, and a bank statement (camt.053) to
try on the treasurer's statements page: it pays Geoskolan's open invoice."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from certification.billing import invoicing, orders
from certification.billing.ledger import set_allowance
from certification.billing.models import BillingAccount, Invoice, Order, Payment
from certification.billing.statements import build_camt053
from certification.organisations.models import Organisation

DETAILS = {
    "geoskolan": ("Geoskolan AB", "Drottninggatan 12", "111 51", "Stockholm", "SE",
                  "SE556677889901", "ekonomi@geoskolan.example.org"),
    "carto-lab": ("Carto Lab Ltd", "1 Map Street", "EC1A 1BB", "London", "GB",
                  "GB980780684", "accounts@carto-lab.example.org"),
    "open-geo-training": ("Open Geo Training GmbH", "Kartenweg 3", "10115", "Berlin", "DE",
                          "DE136695976", "buchhaltung@open-geo.example.org"),
}  # fmt: skip
STATEMENT_NAME = "camt053-demo-statement.xml"


def statement_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / STATEMENT_NAME


def ensure_billing(users: dict[str, Any]) -> int:
    """Orders and invoices for the three demo organisations, once. Returns orders made."""
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=DETAILS)}
    if Order.objects.filter(organisation__in=organisations.values()).exists():
        return 0
    for slug, (name, street, postcode, city, country, vat, email) in DETAILS.items():
        BillingAccount.objects.update_or_create(
            organisation=organisations[slug],
            defaults={
                "billing_name": name,
                "billing_street": street,
                "billing_postcode": postcode,
                "billing_city": city,
                "billing_country": country,
                "vat_number": vat,
                "billing_email": email,
            },
        )
    today = timezone.localdate()
    alice, carol, tom = (users[f"{n}@example.org"] for n in ("alice", "carol", "tom"))
    geoskolan, carto = organisations["geoskolan"], organisations["carto-lab"]

    def invoice(organisation: Organisation, quantity: int, by: Any, days_ago: int) -> Invoice:
        order = orders.create_order(
            organisation, quantity=quantity, method=Order.Method.INVOICE, by=by
        )
        return invoicing.issue_invoice(order, by=by, today=today - timedelta(days=days_ago))

    paid = invoice(geoskolan, 20, alice, 60)
    invoicing.record_payment(
        paid,
        amount=paid.total_amount,
        received_on=today - timedelta(days=50),
        reference="DEMO-BANK-0001",
        by=tom,
    )
    open_invoice = invoice(geoskolan, 10, alice, 3)
    invoice(carto, 15, carol, 45)  # overdue: reminders go out
    card = orders.create_order(geoskolan, quantity=5, method=Order.Method.CARD, by=alice)
    if orders.mark_order_paid(card):
        Payment.objects.create(
            organisation=geoskolan,
            order=card,
            method=Payment.Method.CARD,
            amount=card.total_amount,
            currency=card.currency,
            received_on=today - timedelta(days=10),
            reference="pi_demo_card_payment",
        )
    set_allowance(organisations["open-geo-training"], by=tom, allowance=25)
    _write_statement(open_invoice)
    return 4


def _write_statement(open_invoice: Any) -> None:
    """A bank statement with the transfer paying the open invoice and one unknown payment."""
    path = statement_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        build_camt053(
            [
                {
                    "amount": open_invoice.total_amount,
                    "reference": open_invoice.reference,
                    "debtor_name": "Geoskolan AB",
                    "bank_reference": "DEMO-BANK-0002",
                },
                {
                    "amount": "42.00",
                    "unstructured": "Donation to QGIS",
                    "debtor_name": "A QGIS friend",
                    "bank_reference": "DEMO-BANK-0003",
                },
            ]
        )
    )
