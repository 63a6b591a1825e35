from django.contrib import admin

from certification.training.models import CourseMaterial, CourseType


class CourseMaterialInline(admin.TabularInline):
    model = CourseMaterial
    extra = 0
    fields = ["kind", "title", "original_name", "file_type", "size", "url"]
    readonly_fields = ["original_name", "file_type", "size"]


@admin.register(CourseType)
class CourseTypeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "hours", "qgis_version", "approved_at"]
    list_filter = ["status", "organisation__country"]
    search_fields = ["title", "description", "organisation__legal_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [CourseMaterialInline]


@admin.register(CourseMaterial)
class CourseMaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "course_type", "file_type", "size", "created_at"]
    list_filter = ["kind", "file_type"]
    search_fields = ["title", "original_name", "url", "course_type__title"]
    list_select_related = ["course_type"]
    readonly_fields = ["public_id", "original_name", "file_type", "size"]
