"""Card payments through Stripe Checkout, confirmed only by Stripe's signed webhook.

The browser coming back from Stripe proves nothing: credits are granted when Stripe's
webhook, verified with the signing secret, says the Checkout Session is paid, for exactly
the order's total in the order's currency. Every event id is stored once (`StripeEvent`), so
a replayed event changes nothing; the order's state, read under the billing account's lock,
decides what a late or out-of-order event may still do (never grant twice, never grant after
a refund or a dispute). What could not be applied is flagged for the treasurer.

Amounts go to Stripe in cents of a two-decimal currency (the orders are in EUR).
"""

import logging
import uuid
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stripe.params.checkout import SessionCreateParams

from certification.accounts.models import User
from certification.billing import orders, pricing
from certification.billing.ledger import CreditError, lock_account
from certification.billing.models import Order, Payment, StripeEvent
from certification.billing.rules import require_unless_platform
from certification.core.audit import record_event

logger = logging.getLogger(__name__)

# Seconds to connect to Stripe, and to wait for its answer, while someone waits for the page.
STRIPE_TIMEOUT = (5, 30)

Outcome = tuple[Order | None, str]


class WebhookError(Exception):
    """A webhook that is not provably Stripe's (bad or missing signature, too old) or that
    cannot be read. The view answers 400 and nothing is stored."""


def card_payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def http_client() -> stripe.HTTPClient:
    """Stripe's HTTP transport. The tests replace this function with a fake transport, so
    everything above the wire (parameters, headers, parsing) is the real library."""
    return stripe.RequestsClient(timeout=STRIPE_TIMEOUT)


def client() -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=http_client())


def to_cents(amount: Decimal) -> int:
    """An amount as Stripe counts it: whole cents, from the Decimal, never through a float."""
    return int(pricing.money(amount).scaleb(2))


def _from_cents(cents: Any) -> str:
    if not isinstance(cents, int):
        return "?"
    return str(Decimal(cents).scaleb(-2).quantize(pricing.CENT))


# --- Starting a payment -------------------------------------------------------------------


def _product_name(order: Order) -> str:
    """What Stripe's page and receipt call the purchase. Always in the site's language: a
    retry must send Stripe the very same parameters, or the idempotency key refuses it."""
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "%(count)s QGIS certificate credit",
            "%(count)s QGIS certificate credits",
            order.quantity,
        ) % {"count": order.quantity}


def start_checkout(
    order: Order, *, success_url: str, cancel_url: str, by: User | None = None
) -> str:
    """A Stripe Checkout Session for a pending card order; returns the URL to send the buyer to.

    The amount is the order's total, priced on the server when the order was made. The order's
    idempotency key makes a retry (a double click, a second try after cancelling) return the
    same session instead of a second one. Raises CreditError for an order that cannot be paid
    by card, and stripe.StripeError when Stripe cannot be reached or refuses.
    """
    require_unless_platform(by, "billing.buy", order.organisation)
    if order.method != Order.Method.CARD:
        raise CreditError(_("This order is paid by invoice, not by card."))
    if order.status != Order.Status.PENDING:
        raise CreditError(_("This order is not awaiting payment any more."))
    reference = str(order.public_id)
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.currency.lower(),
                    "unit_amount": to_cents(order.total_amount),
                    "product_data": {"name": _product_name(order)},
                },
            }
        ],
        "client_reference_id": reference,
        "metadata": {"order": reference},
        # Copied by Stripe to the payment and its charge, so that a refund can be matched to
        # the order even when it arrives before the session's own events.
        "payment_intent_data": {"metadata": {"order": reference}},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    email = (order.buyer or {}).get("email")
    if email:
        params["customer_email"] = email
    sessions = client().v1.checkout.sessions
    session = sessions.create(params, {"idempotency_key": str(order.idempotency_key)})
    if getattr(session, "status", None) == "expired":
        # Stripe remembers a key for at least a day, as long as a session stays open: someone
        # coming back later would be sent to the expired page. A new key, a new session.
        order.idempotency_key = uuid.uuid4()
        order.save(update_fields=["idempotency_key"])
        session = sessions.create(params, {"idempotency_key": str(order.idempotency_key)})
    if not session.url:
        raise stripe.APIError("Stripe returned a Checkout Session without a payment page.")
    with transaction.atomic():
        order.stripe_session_id = session.id
        order.save(update_fields=["stripe_session_id"])
        record_event(
            "billing.checkout_started", actor=by, target=order, data={"session": session.id}
        )
    return session.url


# --- The webhook --------------------------------------------------------------------------


def verified_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event in `payload` as plain data, if Stripe signed it within the tolerance.

    Raises WebhookError otherwise: a missing or wrong signature, a stale timestamp, a body
    that is not a Stripe event.
    """
    try:
        event = client().construct_event(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookError(str(error)) from error
    except (ValueError, TypeError, AttributeError) as error:
        # Not UTF-8, not JSON, or JSON that is not an event object.
        raise WebhookError(f"Unreadable event: {error}") from error
    data = event.to_dict()
    body = data.get("data")
    if not (
        isinstance(data.get("id"), str)
        and data["id"]
        and isinstance(data.get("type"), str)
        and isinstance(body, dict)
        and isinstance(body.get("object"), dict)
    ):
        raise WebhookError("The event has no id, type or object.")
    return data


def handle_event(event: dict[str, Any]) -> StripeEvent:
    """Apply one verified event, once. A replayed event id returns its first record and
    changes nothing. Everything happens in one transaction: if applying fails, the event is
    not stored either, the webhook answers 500, and Stripe sends it again later."""
    with transaction.atomic():
        record, created = StripeEvent.objects.get_or_create(
            event_id=event["id"][:255], defaults={"type": event["type"][:100]}
        )
        if not created:
            return record
        handler = HANDLERS.get(event["type"])
        if handler is None:
            order, outcome = None, "Ignored: the platform does not act on this event."
        else:
            order, outcome = handler(event["data"]["object"])
        record.order = order
        record.outcome = outcome[:300]
        record.save(update_fields=["order", "outcome"])
    logger.info("Stripe event %s (%s): %s", record.event_id, record.type, record.outcome)
    return record


def _stripe_id(value: Any) -> str:
    """An id Stripe sends either as a string or, when expanded, as the object itself."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _locked(order: Order) -> Order:
    """The order, re-read under the billing account's lock and its own.

    The account is locked first, as the ledger services do, so that two events for the same
    order (or an event and someone issuing certificates) are served one after the other.
    """
    lock_account(order.organisation)
    return Order.objects.select_for_update().select_related("organisation").get(pk=order.pk)


def _flag(order: Order, reason: str) -> None:
    order.flagged = True
    order.flag_reason = reason[:300]
    order.save(update_fields=["flagged", "flag_reason"])
    record_event("billing.order_flagged", actor=None, target=order, data={"reason": reason[:300]})


def _order_for_session(session: dict[str, Any]) -> Order | None:
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("order")
    try:
        public_id = uuid.UUID(str(reference))
    except ValueError:
        return None
    order = Order.objects.filter(public_id=public_id, method=Order.Method.CARD).first()
    return _locked(order) if order else None


def _order_for_payment(payment_intent: str, metadata: Any = None) -> Order | None:
    """The card order paid by `payment_intent`; before the session's events have told us
    that id, the order named in the charge's metadata (which the session put there)."""
    order = None
    if payment_intent:
        order = Order.objects.filter(
            stripe_payment_intent=payment_intent, method=Order.Method.CARD
        ).first()
    if order is None and isinstance(metadata, dict) and metadata.get("order"):
        try:
            public_id = uuid.UUID(str(metadata["order"]))
        except ValueError:
            return None
        order = Order.objects.filter(
            public_id=public_id, method=Order.Method.CARD, stripe_payment_intent=""
        ).first()
    if order is None:
        return None
    order = _locked(order)
    if payment_intent and not order.stripe_payment_intent:
        order.stripe_payment_intent = payment_intent
        order.save(update_fields=["stripe_payment_intent"])
    return order


def _session_paid(session: dict[str, Any]) -> Outcome:
    """checkout.session.completed and checkout.session.async_payment_succeeded."""
    session_id = _stripe_id(session.get("id"))
    order = _order_for_session(session)
    if order is None:
        return None, f"No order for Checkout session {session_id}."
    status = session.get("payment_status")
    if order.stripe_session_id != session_id:
        if status == "paid":
            _flag(
                order,
                f"Stripe reported a payment through Checkout session {session_id}, which is "
                "not this order's: no credits were granted. Check it in Stripe.",
            )
        return order, "The session is not the order's own: nothing granted."
    if status != "paid":
        # Delayed methods (SEPA debit, …): async_payment_succeeded or _failed follows.
        return order, f"Checkout completed, payment {status}: waiting for the payment."
    amount, currency = session.get("amount_total"), str(session.get("currency") or "")
    if amount != to_cents(order.total_amount) or currency.lower() != order.currency.lower():
        _flag(
            order,
            f"Stripe reported {_from_cents(amount)} {currency.upper()} instead of "
            f"{order.total_amount} {order.currency}: no credits were granted.",
        )
        return order, "The amount or currency does not match the order: flagged, nothing granted."
    payment_intent = _stripe_id(session.get("payment_intent"))
    try:
        paid = orders.mark_order_paid(order)
    except CreditError:
        if not order.flagged:
            _flag(
                order,
                f"Paid by card while the order was {order.status}: no credits were granted. "
                "Refund the payment in Stripe, or adjust the credits.",
            )
        return order, f"A payment for an order that is {order.status}: nothing granted."
    if not paid:
        return order, "Already paid: nothing more granted."
    order.stripe_payment_intent = payment_intent
    order.save(update_fields=["stripe_payment_intent"])
    Payment.objects.create(
        organisation=order.organisation,
        order=order,
        method=Payment.Method.CARD,
        amount=order.total_amount,
        currency=order.currency,
        received_on=timezone.localdate(),
        reference=payment_intent[:140],
    )
    record_event(
        "billing.card_payment_received",
        actor=None,
        target=order,
        data={"amount": str(order.total_amount), "payment_intent": payment_intent},
    )
    return order, f"Paid: {order.quantity} credits granted."


def _session_failed(session: dict[str, Any]) -> Outcome:
    """checkout.session.async_payment_failed: a delayed payment (SEPA debit, …) bounced."""
    session_id = _stripe_id(session.get("id"))
    order = _order_for_session(session)
    if order is None:
        return None, f"No order for Checkout session {session_id}."
    if order.stripe_session_id != session_id:
        return order, "The session is not the order's own: nothing changed."
    if order.status != Order.Status.PENDING:
        return order, f"The payment failed, but the order is {order.status}: left as it is."
    order.status = Order.Status.FAILED
    order.save(update_fields=["status"])
    record_event("billing.order_failed", actor=None, target=order, data={"session": session_id})
    return order, "The delayed payment failed: the order is marked as failed."


def _charge_refunded(charge: dict[str, Any]) -> Outcome:
    payment_intent = _stripe_id(charge.get("payment_intent"))
    order = _order_for_payment(payment_intent, charge.get("metadata"))
    if order is None:
        return None, f"No order for payment {payment_intent or '(none)'}."
    if order.status == Order.Status.REFUNDED:
        return order, "Already refunded: nothing more to take back."
    amount, refunded = charge.get("amount"), charge.get("amount_refunded")
    whole = charge.get("refunded") is True or (
        isinstance(amount, int) and isinstance(refunded, int) and refunded >= amount
    )
    if not whole:
        currency = str(charge.get("currency") or "").upper()
        _flag(
            order,
            f"Partly refunded in Stripe: {_from_cents(refunded)} of {_from_cents(amount)} "
            f"{currency}. The credits were not taken back.",
        )
        return order, "Partial refund: flagged for the treasurer, credits kept."
    order = orders.reverse_order(
        order,
        status=Order.Status.REFUNDED,
        reason=f"Refunded in Stripe (payment {payment_intent}).",
    )
    return order, (
        f"Refunded: {order.credits_reversed} credits taken back, {order.debt_credits} owed."
    )


def _dispute_created(dispute: dict[str, Any]) -> Outcome:
    payment_intent = _stripe_id(dispute.get("payment_intent"))
    order = _order_for_payment(payment_intent)
    if order is None:
        return None, f"No order for payment {payment_intent or '(none)'}."
    if order.status == Order.Status.DISPUTED:
        return order, "Already disputed: nothing more to take back."
    reason = str(dispute.get("reason") or "no reason given")
    order = orders.reverse_order(
        order,
        status=Order.Status.DISPUTED,
        reason=f"Disputed in Stripe ({reason}; payment {payment_intent}).",
    )
    return order, (
        f"Disputed: {order.credits_reversed} credits taken back, {order.debt_credits} owed."
    )


HANDLERS = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _session_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}
