from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from certification.accounts.permissions import can
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.for_user(request.user).order_by("organisation__legal_name")
    return render(request, "organisations/dashboard.html", {"memberships": memberships})


@login_required
@require_GET
def organisation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=None)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "organisations/overview.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "can_see_member_emails": can(request.user, "organisation.manage", organisation)
            or can(request.user, "organisation.change_status", organisation),
        },
    )
