"""The treasurer's pages.

The treasurer (with two-factor authentication, which the middleware enforces) sees every
organisation's balance and allowance, reads its ledger, adds or removes credits with a
reason and sets the allowance.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.accounts.permissions import acts_as
from certification.accounts.roles import GlobalRole
from certification.billing import queries, services
from certification.billing.forms import AdjustCreditsForm, AllowanceForm, OrganisationSearchForm
from certification.billing.services import CreditError
from certification.organisations.models import Organisation


def _require_treasurer(request: HttpRequest) -> None:
    if not acts_as(request.user, GlobalRole.TREASURER):
        raise PermissionDenied


# --- The treasurer ------------------------------------------------------------------------


@login_required
@require_GET
def treasury(request: HttpRequest) -> HttpResponse:
    _require_treasurer(request)
    form = OrganisationSearchForm(request.GET)
    organisations = queries.organisations_with_credits()
    if form.query:
        organisations = organisations.filter(legal_name__icontains=form.query)
    return render(
        request,
        "billing/treasury.html",
        {
            "form": form,
            "page": queries.page(request, organisations, queries.ORGANISATIONS_PER_PAGE),
        },
    )


def _render_account(
    request: HttpRequest,
    organisation: Organisation,
    *,
    adjust_form: AdjustCreditsForm | None = None,
    allowance_form: AllowanceForm | None = None,
) -> HttpResponse:
    standing = queries.standing(organisation)
    return render(
        request,
        "billing/treasury_organisation.html",
        {
            "organisation": organisation,
            **standing,
            "page": queries.page(request, queries.ledger(organisation), queries.ENTRIES_PER_PAGE),
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
