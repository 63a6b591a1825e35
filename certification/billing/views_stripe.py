"""Card payments: sending the buyer to Stripe Checkout, and Stripe's webhook.

The order page (`order_detail`) is where the buyer comes back to; it says the payment is on
its way until the webhook has confirmed it. Only the webhook changes an order's state.
"""

import logging
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from certification.billing import stripe_payments
from certification.billing.ledger import CreditError
from certification.billing.models import Order
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership

logger = logging.getLogger(__name__)


class SeeOther(HttpResponseRedirect):
    """After a POST, on to Stripe's payment page with a GET."""

    status_code = 303


@login_required
@require_POST
def order_checkout(request: HttpRequest, slug: str, order_id: Any) -> HttpResponse:
    """Owners and managers: pay a pending card order on Stripe's payment page."""
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    if not stripe_payments.card_payments_enabled():
        raise Http404
    order = get_object_or_404(Order, organisation=organisation, public_id=order_id)
    order.organisation = organisation
    back = redirect("order_detail", slug=organisation.slug, order_id=order.public_id)
    if order.method != Order.Method.CARD:
        messages.error(request, _("This order is paid by invoice, not by card."))
        return back
    if order.status != Order.Status.PENDING:
        messages.info(request, _("This order is not awaiting payment any more."))
        return back
    return send_to_stripe(request, order)


def send_to_stripe(request: HttpRequest, order: Order) -> HttpResponse:
    """Start the Checkout Session of a pending card order and go there (303); on any
    failure, say so on the order's page. Nothing is charged until the buyer pays there."""
    back = redirect("order_detail", slug=order.organisation.slug, order_id=order.public_id)
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


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events, signed with the webhook secret: the only thing that confirms a card
    payment. Anything not provably Stripe's is refused with 400 before it is stored."""
    if not stripe_payments.card_payments_enabled():
        raise Http404
    try:
        event = stripe_payments.verified_event(
            request.body, request.headers.get("Stripe-Signature")
        )
    except stripe_payments.WebhookError as error:
        logger.warning("Refused a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Invalid Stripe webhook.", content_type="text/plain")
    stripe_payments.handle_event(event)
    return HttpResponse("OK", content_type="text/plain")
