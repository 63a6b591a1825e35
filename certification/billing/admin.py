from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from certification.billing.models import (
    BankStatement,
    BillingAccount,
    CreditEntry,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Order,
    Payment,
    StripeEvent,
)


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin[BillingAccount]):
    list_display = ["organisation", "allowance", "created_at"]
    list_filter = ["allowance"]
    search_fields = ["organisation__legal_name"]
    autocomplete_fields = ["organisation"]
    # The allowance is the treasurer's, set on the treasury page (checked and audited).
    readonly_fields = ["allowance"]


class ReadOnlyMixin:
    """Money records change only through their services (and the treasurer's pages), which
    check the state, keep numbers without gaps and write the audit log: the admin reads."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin[CreditEntry]):
    list_display = ["created_at", "organisation", "kind", "amount", "certificate_code", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["organisation__legal_name", "certificate_code", "reason"]
    list_select_related = ["organisation"]


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin[Order]):
    list_display = [
        "created_at",
        "organisation",
        "method",
        "status",
        "quantity",
        "total_amount",
        "currency",
        "flagged",
    ]
    list_filter = ["method", "status", "flagged", "vat_treatment"]
    search_fields = [
        "organisation__legal_name",
        "public_id",
        "stripe_session_id",
        "stripe_payment_intent",
    ]
    list_select_related = ["organisation"]
    date_hierarchy = "created_at"


LINE_FIELDS = ("position", "description", "quantity", "unit_price", "net_amount")


class InvoiceLineInline(ReadOnlyMixin, admin.TabularInline[InvoiceLine, Invoice]):
    model = InvoiceLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyMixin, admin.ModelAdmin[Invoice]):
    list_display = [
        "number",
        "kind",
        "organisation",
        "status",
        "issued_on",
        "due_on",
        "total_amount",
        "currency",
        "reminders_sent",
    ]
    list_filter = ["kind", "status", "year", "vat_treatment"]
    search_fields = ["number", "reference", "organisation__legal_name"]
    list_select_related = ["organisation"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin[Payment]):
    list_display = ["received_on", "organisation", "amount", "currency", "method", "invoice"]
    list_filter = ["method", "received_on"]
    search_fields = ["organisation__legal_name", "reference", "invoice__number"]
    list_select_related = ["organisation", "invoice"]
    date_hierarchy = "received_on"


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyMixin, admin.ModelAdmin[BankStatement]):
    list_display = ["uploaded_at", "original_name", "statement_id", "uploaded_by"]
    list_filter = ["uploaded_at"]
    search_fields = ["original_name", "statement_id"]
    list_select_related = ["uploaded_by"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyMixin, admin.ModelAdmin[StripeEvent]):
    list_display = ["received_at", "type", "event_id", "order", "outcome"]
    list_filter = ["type"]
    search_fields = ["event_id", "order__public_id"]
    list_select_related = ["order__organisation"]


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(ReadOnlyMixin, admin.ModelAdmin[InvoiceSeries]):
    """The last number of each year's series: allocated only when an invoice is issued."""

    list_display = ["year", "last_number"]
    list_filter = ["year"]
    search_fields = ["year"]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyMixin, admin.ModelAdmin[InvoiceLine]):
    """Lines are read with their invoice; listed here to search every invoice's lines."""

    list_display = ["invoice", "position", "description", "quantity", "net_amount"]
    list_filter = ["invoice__kind", "invoice__year"]
    search_fields = ["invoice__number", "description"]
    list_select_related = ["invoice"]
