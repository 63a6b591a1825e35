from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from certification.core.mapversion import map_changed
from certification.core.models import AuditEvent


class ShownOnTheMapAdmin[M: Model](admin.ModelAdmin[M]):
    """The admin of a model the public map shows (core.mapversion): what is saved or deleted
    here goes around the services, so it says itself that the map changed."""

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        super().save_model(request, obj, form, change)
        map_changed()

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        super().delete_model(request, obj)
        map_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M, Any]) -> None:
        super().delete_queryset(request, queryset)
        map_changed()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_label"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["action", "actor_label", "target_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]

    # The audit log is append-only: nobody edits or deletes it, not even in the admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
