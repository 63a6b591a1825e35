"""The applications' sections of the personal dashboard."""

from typing import Any

from django.http import HttpRequest

from certification.accounts.permissions import can
from certification.applications.models import Application, Status
from certification.applications.review.queries import reviewer_queue_size
from certification.core.dashboard import dashboard_section
from certification.organisations.models import Membership


@dashboard_section("applications/dashboard_section.html", order=10)
def applications_section(request: HttpRequest) -> dict[str, Any] | None:
    applications = list(
        Application.objects.filter(
            organisation__memberships__user=request.user,
            organisation__memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        )
        .select_related("organisation")
        .order_by("-created_at")[:10]
    )
    if not applications:
        return None
    return {"applications": applications, "open_statuses": Status}


@dashboard_section("review/dashboard_section.html", order=5)
def review_section(request: HttpRequest) -> dict[str, Any] | None:
    if not can(request.user, "review.workspace"):
        return None
    return {"waiting": reviewer_queue_size(request.user)}
