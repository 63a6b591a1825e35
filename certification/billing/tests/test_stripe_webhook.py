"""Stripe's webhook: the only thing that confirms a card payment. Events are built here as
Stripe sends them and signed here with the webhook secret, as Stripe signs them."""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
import stripe
from django.db import transaction
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import ledger, stripe_payments
from certification.billing.models import CreditEntry, Order, Payment, StripeEvent
from certification.billing.tests.factories import order_for
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.core.tests.concurrency import at_once, needs_row_locks
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

WEBHOOK = "/billing/stripe/webhook/"
SECRET = "whsec_test_webhook_secret"
SESSION_ID = "cs_test_paid_session"
PAYMENT_INTENT = "pi_test_3PaidWithCard"


class NoNetwork(stripe.HTTPClient):
    name = "no-network"

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("The webhook never calls Stripe back.")

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("The webhook never calls Stripe back.")

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _stripe_keys(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_webhook"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    monkeypatch.setattr(stripe_payments, "http_client", NoNetwork)


@pytest.fixture
def card_order(alice: User, alice_org: Organisation) -> Order:
    """Five credits by card (a Swiss buyer: 100.00 + 8.10 VAT), sent to Stripe Checkout."""
    order = order_for(alice_org, quantity=5, method=Order.Method.CARD, by=alice, domestic=True)
    order.stripe_session_id = SESSION_ID
    order.save(update_fields=["stripe_session_id"])
    return order


# --- Building and sending events ----------------------------------------------------------


def event(type_: str, data: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": type_,
        "data": {"object": data},
    }


def session_event(
    order: Order,
    type_: str = "checkout.session.completed",
    *,
    event_id: str | None = None,
    payment_status: str = "paid",
    amount: int = 10810,
    currency: str = "eur",
    session_id: str = SESSION_ID,
    reference: str | None = None,
) -> dict[str, Any]:
    return event(
        type_,
        {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "client_reference_id": reference or str(order.public_id),
            "metadata": {"order": reference or str(order.public_id)},
            "payment_status": payment_status,
            "amount_total": amount,
            "currency": currency,
            "payment_intent": PAYMENT_INTENT,
        },
        event_id=event_id,
    )


def refund_event(
    *,
    amount_refunded: int = 10810,
    payment_intent: str = PAYMENT_INTENT,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return event(
        "charge.refunded",
        {
            "id": "ch_test_1",
            "object": "charge",
            "amount": 10810,
            "amount_refunded": amount_refunded,
            "currency": "eur",
            "refunded": amount_refunded == 10810,
            "payment_intent": payment_intent,
            "metadata": metadata or {},
        },
    )


def dispute_event(*, payment_intent: str = PAYMENT_INTENT) -> dict[str, Any]:
    return event(
        "charge.dispute.created",
        {
            "id": "dp_test_1",
            "object": "dispute",
            "amount": 10810,
            "currency": "eur",
            "charge": "ch_test_1",
            "payment_intent": payment_intent,
            "reason": "fraudulent",
            "status": "needs_response",
        },
    )


def sign(payload: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def post(
    data: dict[str, Any] | str, *, signature: str | None = None, client: Client | None = None
) -> Any:
    payload = data if isinstance(data, str) else json.dumps(data)
    headers = {"Stripe-Signature": sign(payload) if signature is None else signature}
    return (client or Client(enforce_csrf_checks=True)).post(
        WEBHOOK, data=payload, content_type="application/json", headers=headers
    )


def purchases(order: Order) -> int:
    return CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.PURCHASE).count()


# --- Paid ---------------------------------------------------------------------------------


def test_a_paid_checkout_grants_the_orders_credits_and_records_one_payment(
    card_order: Order, alice_org: Organisation
) -> None:
    response = post(session_event(card_order, event_id="evt_paid"))

    assert response.status_code == 200
    assert ledger.balance(alice_org) == 5
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PAID
    assert card_order.paid_at is not None
    assert card_order.stripe_payment_intent == PAYMENT_INTENT
    [payment] = Payment.objects.all()
    assert (payment.order, payment.organisation, payment.method) == (
        card_order,
        alice_org,
        Payment.Method.CARD,
    )
    assert (payment.amount, payment.currency) == (card_order.total_amount, "EUR")
    assert payment.reference == PAYMENT_INTENT
    assert payment.received_on == timezone.localdate()
    stored = StripeEvent.objects.get(event_id="evt_paid")
    assert (stored.type, stored.order) == ("checkout.session.completed", card_order)
    assert stored.outcome == "Paid: 5 credits granted."
    actions = set(
        AuditEvent.objects.filter(target_id=str(card_order.pk)).values_list("action", flat=True)
    )
    assert {"billing.order_paid", "billing.credits_granted", "billing.card_payment_received"} <= (
        actions
    )


def test_the_same_event_sent_ten_times_grants_once(
    card_order: Order, alice_org: Organisation
) -> None:
    payload = session_event(card_order, event_id="evt_replayed")

    statuses = {post(payload).status_code for _ in range(10)}

    assert statuses == {200}
    assert ledger.balance(alice_org) == 5
    assert purchases(card_order) == 1
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 1


def test_a_second_event_for_the_same_session_grants_nothing_more(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order))

    response = post(session_event(card_order, "checkout.session.async_payment_succeeded"))

    assert response.status_code == 200
    assert ledger.balance(alice_org) == 5
    assert Payment.objects.count() == 1
    latest = StripeEvent.objects.get(type="checkout.session.async_payment_succeeded")
    assert latest.outcome == "Already paid: nothing more granted."


# --- Not Stripe's -------------------------------------------------------------------------


def _tampered(payload: str) -> str:
    return sign(payload.replace("10810", "1"))


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda payload: sign(payload, secret="whsec_someone_else"), id="wrong-secret"),
        pytest.param(lambda payload: "", id="missing"),
        pytest.param(lambda payload: "nonsense", id="garbled"),
        pytest.param(lambda payload: sign(payload).split(",")[0], id="no-v1"),
        pytest.param(_tampered, id="signed-another-body"),
    ],
)
def test_an_event_without_stripes_signature_is_refused_and_changes_nothing(
    card_order: Order, alice_org: Organisation, signature: Any
) -> None:
    payload = json.dumps(session_event(card_order))

    response = post(payload, signature=signature(payload))

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert ledger.balance(alice_org) == 0
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PENDING


def test_an_event_signed_longer_ago_than_the_tolerance_is_refused(
    card_order: Order, alice_org: Organisation
) -> None:
    payload = json.dumps(session_event(card_order))

    response = post(payload, signature=sign(payload, timestamp=int(time.time()) - 301))

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert ledger.balance(alice_org) == 0


def test_an_event_signed_within_the_tolerance_is_accepted(
    card_order: Order, alice_org: Organisation
) -> None:
    payload = json.dumps(session_event(card_order))

    response = post(payload, signature=sign(payload, timestamp=int(time.time()) - 240))

    assert response.status_code == 200
    assert ledger.balance(alice_org) == 5


@pytest.mark.parametrize(
    "payload",
    ["not json", "[]", '"evt_1"', '{"object": "event"}', '{"id": "evt_1", "type": "x"}'],
)
def test_a_signed_body_that_is_not_an_event_is_refused(payload: str) -> None:
    assert post(payload).status_code == 400
    assert StripeEvent.objects.count() == 0


def test_the_webhook_is_a_post(client: Client) -> None:
    with assert_unchanged(StripeEvent, Payment, CreditEntry):
        assert client.get(WEBHOOK).status_code == 405


def test_without_stripe_keys_there_is_no_webhook(card_order: Order, settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""

    assert post(session_event(card_order)).status_code == 404
    assert StripeEvent.objects.count() == 0


# --- What does not add up -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency"), [(10809, "eur"), (1081, "eur"), (10810, "usd"), (10810, "")]
)
def test_a_payment_of_another_amount_or_currency_grants_nothing_and_flags_the_order(
    card_order: Order, alice_org: Organisation, amount: int, currency: str
) -> None:
    response = post(session_event(card_order, amount=amount, currency=currency))

    assert response.status_code == 200
    assert ledger.balance(alice_org) == 0
    assert Payment.objects.count() == 0
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PENDING
    assert card_order.flagged
    assert "instead of 108.10 EUR" in card_order.flag_reason
    assert StripeEvent.objects.get().order == card_order


def test_a_session_that_is_not_the_orders_own_grants_nothing(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order, session_id="cs_test_someone_elses"))

    assert ledger.balance(alice_org) == 0
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PENDING
    assert card_order.flagged
    assert "cs_test_someone_elses" in card_order.flag_reason


def test_an_order_paid_by_invoice_is_never_paid_by_a_checkout_event(
    alice: User, alice_org: Organisation
) -> None:
    order = order_for(alice_org, quantity=5, method=Order.Method.INVOICE, by=alice, domestic=True)

    post(session_event(order, session_id=""))

    assert ledger.balance(alice_org) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert StripeEvent.objects.get().outcome.startswith("No order for Checkout session")


@pytest.mark.parametrize("reference", [str(uuid.uuid4()), "not-a-uuid", ""])
def test_events_for_unknown_orders_are_stored_and_acknowledged(
    card_order: Order, alice_org: Organisation, reference: str
) -> None:
    data = session_event(card_order)
    data["data"]["object"]["client_reference_id"] = reference
    data["data"]["object"]["metadata"] = {}

    response = post(data)

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.order is None
    assert stored.outcome == f"No order for Checkout session {SESSION_ID}."
    assert ledger.balance(alice_org) == 0


def test_a_refund_of_an_unknown_payment_is_stored_and_acknowledged(card_order: Order) -> None:
    response = post(refund_event(payment_intent="pi_test_unknown"))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.order, stored.outcome) == (None, "No order for payment pi_test_unknown.")


def test_other_events_are_stored_and_ignored(card_order: Order) -> None:
    response = post(event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.type, stored.order) == ("customer.created", None)
    assert stored.outcome.startswith("Ignored")


# --- Delayed payments ---------------------------------------------------------------------


def test_an_unpaid_checkout_waits_for_the_delayed_payment(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order, payment_status="unpaid"))

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PENDING
    assert ledger.balance(alice_org) == 0
    assert "waiting for the payment" in StripeEvent.objects.get().outcome

    post(session_event(card_order, "checkout.session.async_payment_succeeded"))

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PAID
    assert ledger.balance(alice_org) == 5
    assert Payment.objects.count() == 1


def test_a_failed_delayed_payment_marks_the_order_failed(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order, payment_status="unpaid"))

    post(
        session_event(card_order, "checkout.session.async_payment_failed", payment_status="unpaid")
    )

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.FAILED
    assert ledger.balance(alice_org) == 0
    assert AuditEvent.objects.filter(
        action="billing.order_failed", target_id=str(card_order.pk)
    ).exists()


def test_a_late_failure_does_not_undo_a_paid_order(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order))

    post(
        session_event(card_order, "checkout.session.async_payment_failed", payment_status="unpaid")
    )

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PAID
    assert ledger.balance(alice_org) == 5


# --- Refunds and disputes -----------------------------------------------------------------


def _spend(organisation: Organisation, count: int, by: User) -> None:
    with transaction.atomic():
        ledger.spend_for_certificates(
            organisation, [f"CERT{number}" for number in range(count)], by=by
        )


def test_a_refund_takes_back_the_unspent_credits_and_records_the_rest_as_owed(
    card_order: Order, alice_org: Organisation, alice: User
) -> None:
    post(session_event(card_order))
    _spend(alice_org, 2, alice)

    response = post(refund_event())

    assert response.status_code == 200
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.REFUNDED
    assert card_order.flagged
    assert (card_order.credits_reversed, card_order.debt_credits) == (3, 2)
    [reversal] = CreditEntry.objects.filter(kind=CreditEntry.Kind.REVERSAL)
    assert (reversal.order, reversal.amount) == (card_order, -3)
    assert ledger.balance(alice_org) == 0
    assert StripeEvent.objects.get(type="charge.refunded").outcome == (
        "Refunded: 3 credits taken back, 2 owed."
    )


def test_a_refund_sent_twice_takes_back_once(card_order: Order, alice_org: Organisation) -> None:
    post(session_event(card_order))

    post(refund_event())
    post(refund_event())

    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.REVERSAL).count() == 1
    assert ledger.balance(alice_org) == 0


def test_a_partial_refund_flags_the_order_and_keeps_the_credits(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order))

    post(refund_event(amount_refunded=2162))

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.PAID
    assert card_order.flagged
    assert "21.62 of 108.10 EUR" in card_order.flag_reason
    assert ledger.balance(alice_org) == 5
    assert not CreditEntry.objects.filter(kind=CreditEntry.Kind.REVERSAL).exists()


def test_a_refund_arriving_before_the_payment_means_no_credits_later(
    card_order: Order, alice_org: Organisation
) -> None:
    # Stripe does not promise the order of events: the charge knows its order by the
    # metadata the Checkout Session gave it.
    post(refund_event(metadata={"order": str(card_order.public_id)}))

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.REFUNDED
    assert card_order.stripe_payment_intent == PAYMENT_INTENT

    response = post(session_event(card_order))

    assert response.status_code == 200
    assert ledger.balance(alice_org) == 0
    assert purchases(card_order) == 0
    assert Payment.objects.count() == 0
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.REFUNDED
    latest = StripeEvent.objects.get(type="checkout.session.completed")
    assert latest.outcome == "A payment for an order that is refunded: nothing granted."


def test_a_dispute_takes_back_the_credits_and_flags_the_order(
    card_order: Order, alice_org: Organisation
) -> None:
    post(session_event(card_order))

    response = post(dispute_event())

    assert response.status_code == 200
    card_order.refresh_from_db()
    assert card_order.status == Order.Status.DISPUTED
    assert card_order.flagged
    assert "fraudulent" in card_order.flag_reason
    assert (card_order.credits_reversed, card_order.debt_credits) == (5, 0)
    assert ledger.balance(alice_org) == 0
    assert StripeEvent.objects.get(type="charge.dispute.created").order == card_order


def test_a_payment_after_a_cancellation_is_flagged_and_grants_nothing(
    card_order: Order, alice_org: Organisation
) -> None:
    Order.objects.filter(pk=card_order.pk).update(status=Order.Status.CANCELLED)

    post(session_event(card_order))

    card_order.refresh_from_db()
    assert card_order.status == Order.Status.CANCELLED
    assert card_order.flagged
    assert "while the order was cancelled" in card_order.flag_reason
    assert ledger.balance(alice_org) == 0


# --- At the same moment -------------------------------------------------------------------


@needs_row_locks("two webhooks")
@pytest.mark.django_db(transaction=True)
def test_two_events_completing_the_same_order_at_once_grant_once(
    card_order: Order, alice_org: Organisation
) -> None:
    events = [
        session_event(card_order),
        session_event(card_order, "checkout.session.async_payment_succeeded"),
    ]
    clients = [Client(enforce_csrf_checks=True) for _ in events]

    statuses = at_once(
        *[
            lambda event=event, client=client: post(event, client=client).status_code
            for event, client in zip(events, clients, strict=True)
        ]
    )

    assert statuses == [200, 200]
    assert ledger.balance(alice_org) == 5
    assert purchases(card_order) == 1
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 2
    outcomes = sorted(StripeEvent.objects.values_list("outcome", flat=True))
    assert outcomes == ["Already paid: nothing more granted.", "Paid: 5 credits granted."]
