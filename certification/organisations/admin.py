from django.contrib import admin

from certification.core.admin import ShownOnTheMapAdmin
from certification.organisations.models import Membership, MembershipInvitation, Organisation


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(ShownOnTheMapAdmin[Organisation]):
    list_display = ["legal_name", "country", "status", "certified_at", "created_at"]
    list_filter = ["status", "country", "certified_at"]
    search_fields = ["legal_name", "slug", "contact_email", "vat_number"]
    prepopulated_fields = {"slug": ["legal_name"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__status", "organisation__country"]
    search_fields = ["user__email", "user__name", "organisation__legal_name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(admin.ModelAdmin[MembershipInvitation]):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "accepted_at"]
    search_fields = ["email", "organisation__legal_name"]
    list_select_related = ["organisation"]
