from django.contrib import admin

from certification.applications.models import (
    Application,
    Contribution,
    Decision,
    Message,
    OpinionRequest,
    ReviewerInvitation,
    Snapshot,
    UserGroup,
)


class ContributionInline(admin.TabularInline[Contribution, Application]):
    model = Contribution
    extra = 0


class OpinionRequestInline(admin.TabularInline[OpinionRequest, Application]):
    model = OpinionRequest
    extra = 0
    readonly_fields = ["given_at", "given_by_label"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ["code", "organisation", "status", "submitted_at", "status_changed_at"]
    list_filter = ["status", "organisation__country"]
    search_fields = ["code", "organisation__legal_name"]
    list_select_related = ["organisation"]
    readonly_fields = ["code", "review_round", "created_at", "submitted_at", "closed_at"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["course_types"]
    inlines = [ContributionInline, OpinionRequestInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin[Contribution]):
    list_display = ["application", "category", "start_year", "end_year", "published"]
    list_filter = ["category", "published"]
    search_fields = ["description", "application__organisation__legal_name"]
    list_select_related = ["application__organisation"]


@admin.register(UserGroup)
class UserGroupAdmin(admin.ModelAdmin[UserGroup]):
    list_display = ["name", "is_active", "contact_email"]
    list_filter = ["is_active", "created_at"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["reviewers"]


@admin.register(OpinionRequest)
class OpinionRequestAdmin(admin.ModelAdmin[OpinionRequest]):
    list_display = ["application", "user_group", "round", "due_at", "verdict", "given_at"]
    list_filter = ["verdict", "user_group"]
    search_fields = [
        "application__code",
        "application__organisation__legal_name",
        "user_group__name",
    ]
    list_select_related = ["application__organisation", "user_group"]


@admin.register(ReviewerInvitation)
class ReviewerInvitationAdmin(admin.ModelAdmin[ReviewerInvitation]):
    list_display = ["email", "name", "opinion_request", "expires_at", "used_at"]
    list_filter = ["used_at"]
    search_fields = ["email", "name"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ["application", "outcome", "decided_at", "decided_by"]
    list_filter = ["outcome"]
    search_fields = ["application__code", "application__organisation__legal_name", "rationale"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["application", "author_label", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["body", "author_label", "application__code"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin[Snapshot]):
    list_display = ["application", "round", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["application__code"]
    readonly_fields = ["application", "round", "data", "created_at"]
