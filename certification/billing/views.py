"""Credits: the treasurer's pages, and each organisation's own read-only billing page.

The treasurer (with two-factor authentication, which the middleware enforces) sees every
organisation's balance and allowance, reads its ledger, adds or removes credits with a
reason and sets the allowance. Owners and managers see their own balance and ledger.
"""

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.accounts.permissions import acts_as
from certification.accounts.roles import GlobalRole
from certification.billing import services
from certification.billing.forms import AdjustCreditsForm, AllowanceForm, OrganisationSearchForm
from certification.billing.models import CreditEntry
from certification.billing.services import CreditError
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership, Organisation

ORGANISATIONS_PER_PAGE = 50
ENTRIES_PER_PAGE = 25


def organisations_with_credits() -> QuerySet[Organisation]:
    """Organisations with `credit_balance` and `credit_allowance`, in one query."""
    return Organisation.objects.annotate(
        credit_balance=Coalesce(Sum("credit_entries__amount"), 0),
        credit_allowance=Coalesce(F("billing_account__allowance"), 0),
    ).order_by("legal_name", "pk")


def ledger(organisation: Organisation) -> QuerySet[CreditEntry]:
    """An organisation's entries, newest first, each with the balance after it."""
    return (
        CreditEntry.objects.filter(organisation=organisation)
        .select_related("created_by")
        .annotate(
            balance_after=Window(Sum("amount"), order_by=[F("created_at").asc(), F("pk").asc()])
        )
        .order_by("-created_at", "-pk")
    )


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _standing(organisation: Organisation) -> dict[str, int]:
    balance = services.balance(organisation)
    spendable = services.spendable(organisation)
    return {"balance": balance, "allowance": spendable - balance, "spendable": spendable}


def _require_treasurer(request: HttpRequest) -> None:
    if not acts_as(request.user, GlobalRole.TREASURER):
        raise PermissionDenied


# --- The treasurer ------------------------------------------------------------------------


@login_required
@require_GET
def treasury(request: HttpRequest) -> HttpResponse:
    _require_treasurer(request)
    form = OrganisationSearchForm(request.GET)
    organisations = organisations_with_credits()
    if form.query:
        organisations = organisations.filter(legal_name__icontains=form.query)
    return render(
        request,
        "billing/treasury.html",
        {"form": form, "page": _page(request, organisations, ORGANISATIONS_PER_PAGE)},
    )


def _render_account(
    request: HttpRequest,
    organisation: Organisation,
    *,
    adjust_form: AdjustCreditsForm | None = None,
    allowance_form: AllowanceForm | None = None,
) -> HttpResponse:
    standing = _standing(organisation)
    return render(
        request,
        "billing/treasury_organisation.html",
        {
            "organisation": organisation,
            **standing,
            "page": _page(request, ledger(organisation), ENTRIES_PER_PAGE),
            "adjust_form": adjust_form or AdjustCreditsForm(),
            "allowance_form": allowance_form
            or AllowanceForm(initial={"allowance": standing["allowance"]}),
        },
    )


@login_required
@require_GET
def treasury_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    _require_treasurer(request)
    return _render_account(request, get_object_or_404(Organisation, slug=slug))


@login_required
@require_POST
def treasury_adjust_credits(request: HttpRequest, slug: str) -> HttpResponse:
    _require_treasurer(request)
    organisation = get_object_or_404(Organisation, slug=slug)
    form = AdjustCreditsForm(request.POST)
    if form.is_valid():
        try:
            services.adjust_credits(
                organisation,
                by=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except CreditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(amount)+d credits for %(organisation)s. The balance is now %(balance)d.")
                % {
                    "amount": form.cleaned_data["amount"],
                    "organisation": organisation.legal_name,
                    "balance": services.balance(organisation),
                },
            )
            return redirect("treasury_organisation", slug=organisation.slug)
    return _render_account(request, organisation, adjust_form=form)


@login_required
@require_POST
def treasury_set_allowance(request: HttpRequest, slug: str) -> HttpResponse:
    _require_treasurer(request)
    organisation = get_object_or_404(Organisation, slug=slug)
    form = AllowanceForm(request.POST)
    if form.is_valid():
        try:
            services.set_allowance(
                organisation, by=request.user, allowance=form.cleaned_data["allowance"]
            )
        except CreditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The allowance of %(organisation)s is now %(allowance)d.")
                % {
                    "organisation": organisation.legal_name,
                    "allowance": form.cleaned_data["allowance"],
                },
            )
            return redirect("treasury_organisation", slug=organisation.slug)
    return _render_account(request, organisation, allowance_form=form)


# --- The organisation ---------------------------------------------------------------------


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
            **_standing(organisation),
            "page": _page(request, ledger(organisation), ENTRIES_PER_PAGE),
            "price": settings.CERTIFICATE_PRICE_EUR,
            "treasurer_email": parseaddr(str(settings.PROGRAMME_EMAIL))[1],
        },
    )
