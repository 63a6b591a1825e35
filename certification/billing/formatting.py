"""How billing writes money, dates, bank details and payment references.

Shared by the pages, the emails and the invoice documents. Light on purpose: nothing here
loads the PDF renderer (documents.py), so that a page or a periodic job can format an amount
without it.
"""

import re
from datetime import date
from decimal import Decimal

from django.utils import formats

from certification.billing.models import Invoice
from certification.billing.pricing import money

# ISO 11649: RF, two check digits, then 1 to 21 letters and digits.
CREDITOR_REFERENCE = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")


def format_amount(value: Decimal, currency: str) -> str:
    """`1 234,50 EUR` in Swedish, `1,234.50 EUR` in English: call inside the language."""
    number = formats.number_format(money(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number}\N{NO-BREAK SPACE}{currency}"


def format_iban(iban: str) -> str:
    """Printed in groups of four, as on a bank card: `CH93 0076 2011 6238 5295 7`."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def format_rate(rate: Decimal) -> str:
    return formats.number_format(rate.normalize(), use_l10n=True)


def format_date(value: date) -> str:
    """The date as written in the active language: `15 januari 2026`, `Jan. 15, 2026`."""
    return formats.date_format(value, "DATE_FORMAT")


def pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


# --- Structured creditor references (ISO 11649) -----------------------------------------------


def compact_reference(reference: str) -> str:
    """A reference without spaces, in capitals, as it is compared."""
    return "".join(reference.split()).upper()


def creditor_reference(base: str) -> str:
    """An ISO 11649 structured creditor reference: `RF`, two check digits, then `base`
    (letters and digits, at most 21)."""
    body = compact_reference(base)
    if not body or len(body) > 21 or not body.isalnum() or not body.isascii():
        raise ValueError(f"{base!r} cannot be the body of a creditor reference.")
    return f"RF{98 - _mod97(body + 'RF00'):02d}{body}"


def is_creditor_reference(reference: str) -> bool:
    """True for a well-formed ISO 11649 reference (spaces and case ignored)."""
    text = compact_reference(reference)
    if not CREDITOR_REFERENCE.fullmatch(text):
        return False
    return _mod97(text[4:] + text[:4]) == 1


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of letters and digits, letters counted A=10 … Z=35."""
    return int("".join(str(int(character, 36)) for character in text)) % 97
