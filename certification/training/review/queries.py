"""Reads of the course type review pages."""

from django.db.models import Count, QuerySet

from certification.accounts.models import User
from certification.training.models import CourseType


def proposed_course_types(user: User) -> QuerySet[CourseType]:
    """Course types awaiting review, never those of the reviewer's own organisations."""
    return (
        CourseType.objects.filter(status=CourseType.Status.PROPOSED)
        .exclude(organisation__memberships__user=user)
        .select_related("organisation")
        .annotate(material_count=Count("materials"))
        .order_by("created_at", "pk")
    )


def reviewable_course_types() -> QuerySet[CourseType]:
    """Course types as their review page shows them; drafts are the organisation's own business."""
    return (
        CourseType.objects.exclude(status=CourseType.Status.DRAFT)
        .select_related("organisation")
        .prefetch_related("materials")
    )
