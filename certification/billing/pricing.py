"""What a certificate costs: the price of a credit and the VAT on it, pure functions on
`Decimal`, never a float.

One credit pays for one certificate. Its price is the setting CERTIFICATE_PRICE_EUR, read on
the server only and only by `price_per_credit`: every page, order and figure that names a
price asks that function, and `quote` adds the VAT for a buyer. VAT follows the seller's
status (settings) and the buyer's country and VAT number:

- seller not registered for VAT → no VAT, and the invoice says why;
- buyer in the seller's country → the domestic rate;
- buyer in the EU with a VAT number (seller outside the buyer's country) → reverse charge;
- anyone else → outside the scope of the seller's VAT.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as NumberError

from certification.billing.models import VatTreatment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CENT = Decimal("0.01")
# EU member states (ISO 3166-1 alpha-2; Greece's VAT prefix is EL, its country code GR).
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# The words printed on an invoice for each treatment without VAT.
VAT_NOTES: dict[str, "StrOrPromise"] = {
    VatTreatment.REVERSE_CHARGE: _(
        "Reverse charge: VAT to be accounted for by the recipient "
        "(Article 196, Council Directive 2006/112/EC)."
    ),
    VatTreatment.OUTSIDE_SCOPE: _("Not subject to VAT in the seller's country."),
    VatTreatment.NOT_REGISTERED: _("No VAT is charged: the seller is not registered for VAT."),
}


def vat_note(treatment: str) -> str:
    """The words an invoice prints for a treatment without VAT, in the active language;
    "" when VAT is charged."""
    return str(VAT_NOTES.get(treatment, ""))


def money(value: Decimal | int | str) -> Decimal:
    """Rounded to the cent, half up, as accountants round."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def normalise_vat_number(number: str) -> str:
    return "".join(number.split()).replace(".", "").replace("-", "").upper()


def vat_number_error(country: str, number: str) -> str:
    """Why `number` is not a well-formed VAT number for a buyer in `country`; "" if it is.

    Checked by format and check digits (python-stdnum), not against VIES: that would need
    the internet at run time.
    """
    compact = normalise_vat_number(number)
    if not compact:
        return ""
    prefix = "EL" if country == "GR" else country
    if country in EU_COUNTRIES:
        if not compact.startswith(prefix):
            return str(_("A VAT number from %(country)s starts with %(prefix)s.")) % {
                "country": country,
                "prefix": prefix,
            }
        try:
            eu_vat.validate(compact)
        except NumberError:
            return str(_("This is not a valid VAT number: check it against your VAT records."))
        return ""
    if len(compact) < 4 or not compact.isalnum():
        return str(_("This is not a valid VAT number."))
    return ""


def vat_treatment(buyer_country: str, vat_number: str) -> tuple[str, Decimal]:
    """The VAT treatment and rate (percent) for a buyer."""
    if not settings.SELLER_VAT_REGISTERED:
        return VatTreatment.NOT_REGISTERED, Decimal("0.00")
    if buyer_country == settings.SELLER_COUNTRY:
        return VatTreatment.DOMESTIC, settings.VAT_RATE_PERCENT
    if buyer_country in EU_COUNTRIES and normalise_vat_number(vat_number):
        return VatTreatment.REVERSE_CHARGE, Decimal("0.00")
    if buyer_country in EU_COUNTRIES and settings.SELLER_COUNTRY in EU_COUNTRIES:
        # An EU consumer buying from an EU seller pays the seller's VAT.
        return VatTreatment.DOMESTIC, settings.VAT_RATE_PERCENT
    return VatTreatment.OUTSIDE_SCOPE, Decimal("0.00")


@dataclass(frozen=True)
class Quote:
    quantity: int
    unit_price: Decimal
    net_amount: Decimal
    vat_treatment: str
    vat_rate: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    currency: str = "EUR"

    @property
    def vat_note(self) -> str:
        return vat_note(self.vat_treatment)

    def order_fields(self) -> dict[str, object]:
        return {
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "net_amount": self.net_amount,
            "vat_treatment": self.vat_treatment,
            "vat_rate": self.vat_rate,
            "vat_amount": self.vat_amount,
            "total_amount": self.total_amount,
            "currency": self.currency,
        }


def price_per_credit() -> Decimal:
    """What one credit, and so one certificate, costs before VAT."""
    return money(settings.CERTIFICATE_PRICE_EUR)


def net_price(credits: int) -> Decimal:
    """What `credits` credits cost before VAT."""
    return money(price_per_credit() * credits)


def quote(quantity: int, *, buyer_country: str, vat_number: str) -> Quote:
    """What `quantity` credits cost this buyer, VAT included."""
    unit_price = price_per_credit()
    net = net_price(quantity)
    treatment, rate = vat_treatment(buyer_country, vat_number)
    vat = money(net * rate / 100)
    return Quote(quantity, unit_price, net, treatment, money(rate), vat, net + vat)
