from django.contrib import admin
from django.http import HttpRequest

from certification.billing.models import BillingAccount, CreditEntry


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ["organisation", "allowance", "created_at"]
    list_filter = ["allowance"]
    search_fields = ["organisation__legal_name"]
    autocomplete_fields = ["organisation"]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "kind", "amount", "certificate_code", "reason"]
    list_filter = ["kind", "created_at"]
    search_fields = ["organisation__legal_name", "certificate_code", "reason"]
    list_select_related = ["organisation"]

    # The ledger is append-only; adjustments go through the treasurer's page and its service.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
