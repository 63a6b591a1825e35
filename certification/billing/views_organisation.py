"""An organisation's billing: balance, ledger, orders, invoices and payments (owners and
managers), buying credits by card or by invoice, and the billing details."""

from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from certification.billing import queries
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership


@login_required
@require_GET
def organisation_billing(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners and managers: the balance, the allowance and the ledger, read-only."""
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    return render(
        request,
        "billing/organisation_billing.html",
        {
            "organisation": organisation,
            **queries.standing(organisation),
            "page": queries.page(request, queries.ledger(organisation), queries.ENTRIES_PER_PAGE),
            "price": settings.CERTIFICATE_PRICE_EUR,
            "treasurer_email": parseaddr(str(settings.PROGRAMME_EMAIL))[1],
        },
    )
