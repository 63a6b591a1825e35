"""An organisation's billing, for its owners and managers: balance, ledger, orders, invoices
and payments; billing details; buying credits by card (Stripe Checkout) or by invoice.

Prices are computed on the server from the settings; the browser sends only how many
credits and how to pay. Card orders are confirmed only by Stripe's webhook (webhooks.py):
until then the order page says the payment is on its way and checks again by itself.
"""

import logging
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import require
from certification.billing import invoicing, orders, pricing, queries, stripe_payments
from certification.billing.formatting import format_iban, pdf_filename
from certification.billing.forms import BillingDetailsForm, BuyCreditsForm
from certification.billing.invoicing import InvoiceError
from certification.billing.ledger import CreditError
from certification.billing.models import BillingAccount, CreditEntry, Invoice, Order, Payment
from certification.core.files import private_file_response
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership, Organisation

logger = logging.getLogger(__name__)

ORDERS_PER_PAGE = 10
INVOICES_PER_PAGE = 10
PAYMENTS_PER_PAGE = 10


class SeeOther(HttpResponseRedirect):
    """After a POST, on to Stripe's payment page with a GET."""

    status_code = 303


def _organisation(request: HttpRequest, slug: str, action: str = "billing.view") -> Organisation:
    """The organisation, if the user may do `action` with its billing (rules.py): 404 to
    people outside it, 403 to its trainers."""
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    require(request.user, action, organisation)
    return organisation


def _order(organisation: Organisation, order_id: Any) -> Order:
    return get_object_or_404(
        Order.objects.prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("year", "sequence"))
        ),
        organisation=organisation,
        public_id=order_id,
    )


def _account(organisation: Organisation) -> BillingAccount:
    """The organisation's billing account, or a new unsaved one: reading never writes."""
    account = BillingAccount.objects.filter(organisation=organisation).first()
    return account or BillingAccount(organisation=organisation)


def _bank_details() -> dict[str, str]:
    return {
        "iban": format_iban(settings.BANK_IBAN),
        "bic": settings.BANK_BIC,
        "bank": settings.BANK_NAME,
        "seller": settings.SELLER_NAME,
    }


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners and managers: balance, orders, invoices and the ledger."""
    organisation = _organisation(request, slug)
    order_list = Order.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("invoices", queryset=Invoice.objects.order_by("year", "sequence"))
    )
    invoice_list = (
        queries.with_payments(Invoice.objects.filter(organisation=organisation))
        .select_related("corrects")
        .order_by("-year", "-sequence")
    )
    account = _account(organisation)
    return render(
        request,
        "billing/organisation_billing.html",
        {
            "organisation": organisation,
            "account": account,
            **queries.standing(organisation),
            "page": queries.page(
                request, queries.ledger_entries(organisation), queries.ENTRIES_PER_PAGE
            ),
            "orders_page": queries.page(
                request, order_list, ORDERS_PER_PAGE, parameter="orders_page"
            ),
            "invoices_page": queries.page(
                request, invoice_list, INVOICES_PER_PAGE, parameter="invoices_page"
            ),
            "payments_page": queries.page(
                request,
                Payment.objects.filter(organisation=organisation).select_related("invoice"),
                PAYMENTS_PER_PAGE,
                parameter="payments_page",
            ),
            "price": pricing.price_per_credit(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def billing_details(request: HttpRequest, slug: str) -> HttpResponse:
    """The legal name, address and VAT number invoices are made out to: asked once."""
    organisation = _organisation(request, slug, "billing.buy")
    account = _account(organisation)
    form = BillingDetailsForm(
        request.POST if request.method == "POST" else None,
        instance=account,
        organisation=organisation,
    )
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("The billing details are saved."))
        if request.GET.get("next") == "buy":
            return redirect("billing:buy_credits", slug=organisation.slug)
        return redirect("billing:overview", slug=organisation.slug)
    return render(
        request,
        "billing/billing_details.html",
        {"organisation": organisation, "form": form, "next": request.GET.get("next", "")},
    )


def _buy_form(request: HttpRequest, data: Any) -> BuyCreditsForm:
    return BuyCreditsForm(data, card=stripe_payments.card_payments_enabled())


@login_required
@require_GET
def buy_credits(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose how many credits and how to pay; then the price, before anything is ordered."""
    organisation = _organisation(request, slug, "billing.buy")
    account = _account(organisation)
    if not account.has_billing_details:
        messages.info(request, _("First, who should the invoice or receipt be made out to?"))
        return redirect(reverse("billing:billing_details", args=[organisation.slug]) + "?next=buy")
    asked = "quantity" in request.GET
    form = _buy_form(request, request.GET if asked else None)
    quote = None
    if asked and form.is_valid():
        quote = pricing.quote(
            form.cleaned_data["quantity"],
            buyer_country=str(account.billing_country),
            vat_number=account.vat_number,
        )
    return render(
        request,
        "billing/buy_credits.html",
        {
            "organisation": organisation,
            "account": account,
            "form": form,
            "quote": quote,
            "method": form.cleaned_data["method"] if quote else "",
            "card_enabled": stripe_payments.card_payments_enabled(),
            "price": pricing.price_per_credit(),
            **queries.standing(organisation),
        },
    )


@login_required
@require_POST
def buy_credits_confirm(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Place the order: an invoice is issued at once; a card payment goes to Stripe."""
    organisation = _organisation(request, slug, "billing.buy")
    form = _buy_form(request, request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Choose between 1 and %(max)s credits and how to pay.")
            % {"max": settings.CREDITS_PER_ORDER_MAX},
        )
        return redirect("billing:buy_credits", slug=organisation.slug)
    method = form.cleaned_data["method"]
    try:
        # The order and its invoice together, or neither.
        with transaction.atomic():
            if method == Order.Method.INVOICE:
                invoicing.check_open_invoices(organisation)
            order = orders.create_order(
                organisation,
                quantity=form.cleaned_data["quantity"],
                method=method,
                by=request.user,
            )
            if method == Order.Method.INVOICE:
                invoice = invoicing.issue_invoice(order, by=request.user)
    except (CreditError, InvoiceError) as error:
        messages.error(request, str(error))
        return redirect("billing:buy_credits", slug=organisation.slug)
    if method == Order.Method.INVOICE:
        messages.success(
            request,
            _("Invoice %(number)s is issued and on its way to %(email)s.")
            % {"number": invoice.number, "email": order.buyer.get("email", "")},
        )
        return redirect("billing:order_detail", slug=organisation.slug, order_id=order.public_id)
    return _send_to_stripe(request, order)


def _order_context(order: Order, request: HttpRequest) -> dict[str, Any]:
    invoices = list(order.invoices.all())
    invoice = next((i for i in invoices if i.kind == Invoice.Kind.INVOICE), None)
    return {
        "order": order,
        "invoice": invoice,
        "credit_notes": [i for i in invoices if i.kind == Invoice.Kind.CREDIT_NOTE],
        "checkout": request.GET.get("checkout", ""),
        "waiting": order.method == Order.Method.CARD and order.status == Order.Status.PENDING,
        "card_enabled": stripe_payments.card_payments_enabled(),
        "bank": _bank_details(),
        "paid": invoicing.amount_paid(invoice) if invoice else None,
        "granted": order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).exists(),
    }


@login_required
@require_GET
def order_detail(request: HttpRequest, slug: str, order_id: Any) -> HttpResponse:
    organisation = _organisation(request, slug)
    order = _order(organisation, order_id)
    return render(
        request,
        "billing/order_detail.html",
        {"organisation": organisation, **_order_context(order, request)},
    )


@login_required
@require_GET
def order_status(request: HttpRequest, slug: str, order_id: Any) -> HttpResponse:
    """The order's status alone, polled by the order page while a card payment is on its way."""
    organisation = _organisation(request, slug)
    order = _order(organisation, order_id)
    return render(
        request,
        "billing/_order_status.html",
        {"organisation": organisation, **_order_context(order, request)},
    )


@login_required
@require_GET
def invoice_pdf(request: HttpRequest, slug: str, invoice_id: Any) -> HttpResponseBase:
    """The invoice (or credit note) as issued: PDF/A-3 with its Factur-X XML."""
    organisation = _organisation(request, slug)
    invoice = get_object_or_404(Invoice, organisation=organisation, public_id=invoice_id)
    if not invoice.has_pdf:
        raise Http404(_("This invoice's PDF is still being prepared: try again in a minute."))
    return private_file_response(
        invoice.pdf.open("rb"), filename=pdf_filename(invoice), content_type="application/pdf"
    )


# --- Paying by card -----------------------------------------------------------------------


@login_required
@require_POST
def order_checkout(request: AuthenticatedHttpRequest, slug: str, order_id: Any) -> HttpResponse:
    """Owners and managers: pay a pending card order on Stripe's payment page."""
    organisation = _organisation(request, slug, "billing.buy")
    if not stripe_payments.card_payments_enabled():
        raise Http404
    order = get_object_or_404(Order, organisation=organisation, public_id=order_id)
    order.organisation = organisation
    back = redirect("billing:order_detail", slug=organisation.slug, order_id=order.public_id)
    if order.method != Order.Method.CARD:
        messages.error(request, _("This order is paid by invoice, not by card."))
        return back
    if order.status != Order.Status.PENDING:
        messages.info(request, _("This order is not awaiting payment any more."))
        return back
    return _send_to_stripe(request, order)


def _send_to_stripe(request: AuthenticatedHttpRequest, order: Order) -> HttpResponse:
    """Start the Checkout Session of a pending card order and go there (303); on any
    failure, say so on the order's page. Nothing is charged until the buyer pays there."""
    back = redirect("billing:order_detail", slug=order.organisation.slug, order_id=order.public_id)
    page = settings.SITE_URL + back.url
    try:
        url = stripe_payments.start_checkout(
            order,
            success_url=page + "?checkout=done",
            cancel_url=page + "?checkout=cancelled",
            by=request.user,
        )
    except CreditError as error:
        messages.error(request, str(error))
        return back
    except stripe.StripeError as error:
        logger.warning("Stripe Checkout could not be started for order %s: %s", order.pk, error)
        messages.error(
            request,
            _("The card payment could not be started. Nothing was charged; try again in a moment."),
        )
        return back
    return SeeOther(url)
