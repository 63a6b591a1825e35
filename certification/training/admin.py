from django.contrib import admin

from certification.core.admin import ShownOnTheMapAdmin
from certification.training.models import (
    Attendee,
    Course,
    CourseMaterial,
    CourseType,
    Trainer,
    TrainingCentre,
)


class CourseMaterialInline(admin.TabularInline[CourseMaterial, CourseType]):
    model = CourseMaterial
    extra = 0
    fields = ["kind", "title", "original_name", "file_type", "size", "url"]
    readonly_fields = ["original_name", "file_type", "size"]


@admin.register(CourseType)
class CourseTypeAdmin(ShownOnTheMapAdmin[CourseType]):
    list_display = ["title", "organisation", "status", "hours", "qgis_version", "approved_at"]
    list_filter = ["status", "organisation__country"]
    search_fields = ["title", "description", "organisation__legal_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [CourseMaterialInline]


@admin.register(CourseMaterial)
class CourseMaterialAdmin(admin.ModelAdmin[CourseMaterial]):
    list_display = ["title", "kind", "course_type", "file_type", "size", "created_at"]
    list_filter = ["kind", "file_type"]
    search_fields = ["title", "original_name", "url", "course_type__title"]
    list_select_related = ["course_type"]
    readonly_fields = ["public_id", "original_name", "file_type", "size"]


@admin.register(TrainingCentre)
class TrainingCentreAdmin(ShownOnTheMapAdmin[TrainingCentre]):
    list_display = ["name", "city", "country", "organisation"]
    list_filter = ["country"]
    search_fields = ["name", "city", "address", "organisation__legal_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin[Trainer]):
    list_display = ["name", "email", "organisation", "user"]
    list_filter = ["organisation__country"]
    search_fields = ["name", "email", "organisation__legal_name"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation", "user"]


class AttendeeInline(admin.TabularInline[Attendee, Course]):
    model = Attendee
    extra = 0
    fields = ["name", "email"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = [
        "course_type",
        "organisation",
        "starts_on",
        "ends_on",
        "language",
        "online",
        "is_public",
    ]
    list_filter = ["online", "is_public", "language", "starts_on"]
    search_fields = ["course_type__title", "organisation__legal_name", "training_centre__city"]
    list_select_related = ["course_type", "organisation"]
    autocomplete_fields = ["organisation", "training_centre"]
    filter_horizontal = ["trainers"]
    date_hierarchy = "starts_on"
    inlines = [AttendeeInline]


@admin.register(Attendee)
class AttendeeAdmin(admin.ModelAdmin[Attendee]):
    list_display = ["name", "email", "course"]
    list_filter = ["course__starts_on"]
    search_fields = ["name", "email", "course__course_type__title"]
    list_select_related = ["course__course_type"]
