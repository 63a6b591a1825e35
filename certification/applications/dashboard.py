"""The applications' sections of the personal dashboard."""

from typing import Any

from django.http import HttpRequest

from certification.accounts.models import User
from certification.accounts.permissions import can
from certification.applications.models import Application
from certification.applications.review.queries import reviewer_queue_size
from certification.core.dashboard import dashboard_section


@dashboard_section("applications/_dashboard_section.html", order=10)
def applications_section(request: HttpRequest) -> dict[str, Any] | None:
    if not isinstance(request.user, User):
        return None
    applications = list(
        Application.objects.run_by(request.user)
        .select_related("organisation")
        .order_by("-created_at")[:10]
    )
    if not applications:
        return None
    return {"applications": applications}


@dashboard_section("review/_dashboard_section.html", order=5)
def review_section(request: HttpRequest) -> dict[str, Any] | None:
    if not isinstance(request.user, User) or not can(request.user, "review.workspace"):
        return None
    return {"waiting": reviewer_queue_size(request.user)}
