"""Credits, orders, payments and invoices.

Money is `Decimal` with two places everywhere (`DecimalField(max_digits=12,
decimal_places=2)`), never a float. Invoices and credit notes are immutable once issued:
their numbers come from `InvoiceSeries`, locked row by row, so they have no gaps.
"""

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from certification.organisations.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MoneyField = models.DecimalField[str | float | Decimal | Combinable, Decimal]


def money_field(verbose_name: "StrOrPromise", **options: Any) -> MoneyField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


class BillingAccount(models.Model):
    """An organisation's standing with the programme's treasury.

    `allowance` is how far the credit balance may go below zero: certificates issued beyond
    the prepaid credits, invoiced afterwards. The treasurer sets it; it is 0 by default.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="billing_account"
    )
    allowance = models.PositiveIntegerField(_("allowance"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Billing details, asked once and reused for every order and invoice.
    billing_name = models.CharField(_("legal name"), max_length=200, blank=True)
    billing_street = models.CharField(_("street address"), max_length=200, blank=True)
    billing_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    billing_city = models.CharField(_("city"), max_length=120, blank=True)
    billing_country = CountryField(_("country"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    billing_email = models.EmailField(_("email for invoices"), blank=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def has_billing_details(self) -> bool:
        return all(
            [self.billing_name, self.billing_street, self.billing_city, self.billing_country]
        )

    def fill_from_profile(self) -> bool:
        """Fill the empty billing details from the organisation's profile, so that the
        monthly invoice can be issued. False (and nothing saved) when the profile has no
        usable address."""
        organisation = self.organisation
        lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
        if len(lines) == 1 and "," in lines[0]:
            lines = [part.strip() for part in lines[0].rsplit(",", 1)]
        if len(lines) < 2 or not organisation.country:
            return False
        # The last line is kept whole ("111 22 Stockholm", "London SW1A 1AA"): splitting it
        # into postcode and city guesses wrongly in too many countries.
        self.billing_name = self.billing_name or organisation.legal_name
        self.billing_street = self.billing_street or ", ".join(lines[:-1])[:200]
        self.billing_city = self.billing_city or lines[-1][:120]
        self.billing_country = self.billing_country or organisation.country
        self.vat_number = self.vat_number or organisation.vat_number
        self.billing_email = self.billing_email or organisation.contact_email
        self.save(
            update_fields=[
                "billing_name",
                "billing_street",
                "billing_city",
                "billing_country",
                "vat_number",
                "billing_email",
            ]
        )
        return True

    def buyer_snapshot(self) -> dict[str, str]:
        """The buyer as printed on an invoice, frozen when it is issued."""
        return {
            "name": self.billing_name,
            "street": self.billing_street,
            "postcode": self.billing_postcode,
            "city": self.billing_city,
            "country": str(self.billing_country),
            "vat_number": self.vat_number,
            "email": self.billing_email,
        }


class CreditEntry(models.Model):
    """One line of an organisation's append-only credit ledger. The balance is the sum."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        ISSUANCE = "issuance", _("Certificate issued")
        REFUND = "refund", _("Certificate refunded")
        ADJUSTMENT = "adjustment", _("Adjustment")
        REVERSAL = "reversal", _("Payment reversed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="credit_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.IntegerField(_("credits"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The certificate this entry paid for, by code: the ledger does not depend on that app.
    certificate_code = models.CharField(_("certificate"), max_length=32, blank=True)
    # The order a purchase (or its reversal) belongs to.
    order = models.ForeignKey(
        "Order", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="credit_entry_not_zero"),
            models.CheckConstraint(
                condition=~models.Q(kind="issuance") | models.Q(amount=-1),
                name="issuance_costs_one_credit",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjustment") | ~models.Q(reason=""),
                name="adjustment_has_a_reason",
            ),
            # An order's credits are granted once, and taken back at most once.
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=models.Q(kind__in=["purchase", "reversal"]),
                name="one_grant_and_one_reversal_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount:+d} ({self.get_kind_display()})"


class VatTreatment(models.TextChoices):
    DOMESTIC = "domestic", _("VAT at the domestic rate")
    REVERSE_CHARGE = "reverse_charge", _("Reverse charge")
    OUTSIDE_SCOPE = "outside_scope", _("Outside the scope of VAT")
    NOT_REGISTERED = "not_registered", _("Seller not registered for VAT")


class Order(models.Model):
    """A purchase of credits: by card (Stripe Checkout), by invoice, or the month's batch of
    certificates an organisation with an allowance issued beyond its prepaid credits."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        INVOICE = "invoice", _("Invoice")
        BATCH = "batch", _("Monthly invoice for certificates issued")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="orders")
    method = models.CharField(_("payment method"), max_length=20, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    quantity = models.PositiveIntegerField(_("credits"))
    unit_price = money_field(_("price per credit"))
    net_amount = money_field(_("net amount"))
    vat_treatment = models.CharField(_("VAT"), max_length=20, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = money_field(_("VAT amount"))
    total_amount = money_field(_("total"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    buyer = models.JSONField(_("buyer"), default=dict)
    # For the monthly batch: the first day of the month invoiced (one batch per month).
    period = models.DateField(_("month invoiced"), null=True, blank=True)
    # Stripe: the Checkout Session, the payment it made, and the key that makes creating
    # the session safe to retry.
    stripe_session_id = models.CharField(max_length=255, blank=True)
    stripe_payment_intent = models.CharField(max_length=255, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # A refund or dispute after the credits were granted: what could be taken back, and
    # what the organisation had already spent (a debt for the treasurer).
    flagged = models.BooleanField(_("flagged for the treasurer"), default=False)
    flag_reason = models.CharField(_("why it is flagged"), max_length=300, blank=True)
    credits_reversed = models.PositiveIntegerField(_("credits taken back"), default=0)
    debt_credits = models.PositiveIntegerField(_("credits owed"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_buys_at_least_one_credit"
            ),
            models.UniqueConstraint(
                fields=["stripe_session_id"],
                condition=~models.Q(stripe_session_id=""),
                name="one_order_per_checkout_session",
            ),
            models.UniqueConstraint(
                fields=["organisation", "period"],
                condition=models.Q(method="batch"),
                name="one_batch_order_per_month",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.quantity} × {self.unit_price} {self.currency}"


class InvoiceSeries(models.Model):
    """The last number used in one yearly series (`QGIS-2026-0001`, …). Numbers are
    allocated under this row's lock when an invoice is issued, so they have no gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """An invoice or a credit note: immutable once issued, corrected only by a credit note."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Cancelled by credit note")
        # Credit notes are settled when issued.
        SETTLED = "settled", _("Settled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveIntegerField(_("series"))
    sequence = models.PositiveIntegerField(_("number in the series"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("corrects invoice"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    seller = models.JSONField(_("seller"))
    buyer = models.JSONField(_("buyer"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    net_amount = money_field(_("net amount"))
    vat_treatment = models.CharField(_("VAT"), max_length=20, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = money_field(_("VAT amount"))
    total_amount = money_field(_("total"))
    # ISO 11649 structured creditor reference (RF…), quoted with the transfer.
    reference = models.CharField(_("payment reference"), max_length=35, unique=True)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminder_on = models.DateField(_("last reminder"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_number_once"),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", corrects__isnull=True)
                | models.Q(kind="credit_note", corrects__isnull=False),
                name="credit_note_corrects_an_invoice",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def has_pdf(self) -> bool:
        """Its PDF is rendered and stored (a task does it once the invoice is issued)."""
        if not self.pdf.name:
            return False
        return self.pdf.storage.exists(self.pdf.name)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = money_field(_("unit price"))
    net_amount = money_field(_("net amount"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_once")
        ]

    def __str__(self) -> str:
        return self.description


class BankStatement(models.Model):
    """An uploaded ISO 20022 camt.053 statement and what matching it found."""

    file = models.FileField(_("file"), upload_to="statements/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    statement_id = models.CharField(_("statement"), max_length=140, blank=True)
    report = models.JSONField(_("report"), default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Payment(models.Model):
    """Money received: a card payment confirmed by Stripe, or a transfer paying an invoice
    (recorded by the treasurer or matched from a bank statement)."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        TRANSFER = "transfer", _("Bank transfer")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payments"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    received_on = models.DateField(_("received on"))
    # The bank's reference of the transfer, or Stripe's payment id.
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    statement = models.ForeignKey(
        BankStatement, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="payment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_method_display()})"


class StripeEvent(models.Model):
    """Every Stripe event id, stored once: a replayed event is recognised and ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_events"
    )
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
