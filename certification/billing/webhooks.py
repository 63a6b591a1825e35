"""Stripe's webhook: the only thing that confirms a card payment (stripe_payments.py).

Stripe calls it, not a person: there is no session, no CSRF token and no rule to ask. The
signature made with the webhook secret is what proves the request is Stripe's.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from certification.billing import stripe_payments

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events, signed with the webhook secret. Anything not provably Stripe's is
    refused with 400 before it is stored."""
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
