from django.contrib import admin
from django.http import HttpRequest

from certification.certificates.models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin[Certificate]):
    list_display = ["code", "attendee", "course", "kind", "status", "issued_at", "email_sent_at"]
    list_filter = ["status", "kind", "issued_at"]
    search_fields = [
        "code",
        "attendee__name",
        "attendee__email",
        "course__organisation__legal_name",
    ]
    list_select_related = ["attendee", "course__course_type"]
    readonly_fields = [field.name for field in Certificate._meta.fields]

    # Certificates are records: they are revoked through the service, never edited or deleted.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
