"""Paying a card order: owners and managers are sent to a Stripe Checkout Session for the
order's total, priced on the server. Only Stripe's HTTP transport is replaced: the request
the real library builds is what these tests read."""

from decimal import Decimal
from typing import Any

import pytest
import stripe
from django.contrib.messages import get_messages
from django.test import Client

from certification.accounts.models import User
from certification.billing import orders, stripe_payments
from certification.billing.ledger import CreditError
from certification.billing.models import Order
from certification.billing.tests.factories import order_for
from certification.billing.tests.fakes import SESSION_ID, SESSION_URL, FakeStripe, use_fake_stripe
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_stripe(settings: Any, monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    return use_fake_stripe(settings, monkeypatch)


@pytest.fixture
def card_order(alice: User, alice_org: Organisation) -> Order:
    # A Swiss buyer pays 8.1 % VAT: 3 x 20.00 + 4.86 = 64.86 EUR.
    return order_for(alice_org, quantity=3, method=Order.Method.CARD, by=alice, domestic=True)


def checkout_path(order: Order, slug: str = "geoskolan") -> str:
    return f"/dashboard/organisations/{slug}/billing/orders/{order.public_id}/checkout/"


def order_path(order: Order) -> str:
    return f"/dashboard/organisations/geoskolan/billing/orders/{order.public_id}/"


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_owner_is_sent_to_a_checkout_session_for_the_orders_total(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe
) -> None:
    assert card_order.total_amount == Decimal("64.86")

    response = client_for(alice).post(checkout_path(card_order))

    assert response.status_code == 303
    assert response["Location"] == SESSION_URL
    card_order.refresh_from_db()
    assert card_order.stripe_session_id == SESSION_ID
    assert card_order.status == Order.Status.PENDING
    [sent] = fake_stripe.requests
    assert sent["method"] == "post"
    assert sent["url"] == "https://api.stripe.com/v1/checkout/sessions"
    assert sent["headers"]["Idempotency-Key"] == str(card_order.idempotency_key)
    assert sent["headers"]["Authorization"] == "Bearer sk_test_checkout"
    page = "http://testserver" + order_path(card_order)
    assert sent["data"] == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "6486",
        "line_items[0][price_data][product_data][name]": "3 QGIS certificate credits",
        "client_reference_id": str(card_order.public_id),
        "metadata[order]": str(card_order.public_id),
        "payment_intent_data[metadata][order]": str(card_order.public_id),
        "success_url": page + "?checkout=done",
        "cancel_url": page + "?checkout=cancelled",
        "customer_email": "invoices@geoskolan.example.org",
    }
    assert AuditEvent.objects.filter(
        action="billing.checkout_started", actor=alice, target_id=str(card_order.pk)
    ).exists()


def test_trying_again_reuses_the_same_idempotency_key(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe
) -> None:
    client = client_for(alice)

    client.post(checkout_path(card_order))
    client.post(checkout_path(card_order))

    keys = {sent["headers"]["Idempotency-Key"] for sent in fake_stripe.requests}
    assert keys == {str(card_order.idempotency_key)}
    assert len(fake_stripe.requests) == 2


def test_the_parameters_do_not_depend_on_the_buyers_language(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe
) -> None:
    # Stripe refuses a retry with the same idempotency key and different parameters.
    client_for(alice).post(checkout_path(card_order), headers={"Accept-Language": "en"})
    client_for(alice).post(checkout_path(card_order), headers={"Accept-Language": "sv"})

    first, second = fake_stripe.requests
    assert first["data"] == second["data"]


def test_coming_back_after_the_session_expired_starts_a_new_one(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe
) -> None:
    first_key = card_order.idempotency_key
    fake_stripe.answers = [
        {**fake_stripe.body, "id": "cs_test_old", "status": "expired", "url": None}
    ]

    response = client_for(alice).post(checkout_path(card_order))

    assert response["Location"] == SESSION_URL
    card_order.refresh_from_db()
    assert card_order.idempotency_key != first_key
    assert card_order.stripe_session_id == SESSION_ID
    assert [sent["headers"]["Idempotency-Key"] for sent in fake_stripe.requests] == [
        str(first_key),
        str(card_order.idempotency_key),
    ]
    assert fake_stripe.requests[0]["data"] == fake_stripe.requests[1]["data"]


def test_managers_pay_too(
    client_for, alice_org: Organisation, card_order: Order, fake_stripe: FakeStripe
) -> None:
    maria = MembershipFactory(organisation=alice_org, role=Membership.Role.MANAGER).user

    response = client_for(maria).post(checkout_path(card_order))

    assert (response.status_code, response["Location"]) == (303, SESSION_URL)


def test_without_a_buyer_email_stripe_asks_for_one(
    client_for, alice: User, alice_org: Organisation, fake_stripe: FakeStripe
) -> None:
    order = order_for(alice_org, method=Order.Method.CARD, by=alice, billing_email="")

    client_for(alice).post(checkout_path(order))

    [sent] = fake_stripe.requests
    assert "customer_email" not in sent["data"]


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("carol", 404), ("tom", 404)])
def test_nobody_else_starts_a_payment(
    request: pytest.FixtureRequest,
    client_for,
    card_order: Order,
    fake_stripe: FakeStripe,
    persona: str,
    status: int,
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(card_order):
        response = client.post(checkout_path(card_order))

    assert response.status_code == status
    assert fake_stripe.requests == []
    card_order.refresh_from_db()
    assert card_order.stripe_session_id == ""


def test_anonymous_visitors_are_asked_to_log_in(
    client: Client, card_order: Order, fake_stripe: FakeStripe
) -> None:
    with assert_unchanged(card_order):
        response = client.post(checkout_path(card_order))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert fake_stripe.requests == []


def test_it_is_a_post(client_for, alice: User, card_order: Order, fake_stripe: FakeStripe) -> None:
    with assert_unchanged(card_order):
        assert client_for(alice).get(checkout_path(card_order)).status_code == 405
    assert fake_stripe.requests == []


def test_another_organisations_order_is_not_found(
    client_for,
    alice: User,
    carol: User,
    carol_org: Organisation,
    fake_stripe: FakeStripe,
) -> None:
    carols = order_for(carol_org, method=Order.Method.CARD, by=carol)

    with assert_unchanged(carols):
        response = client_for(alice).post(checkout_path(carols, slug="geoskolan"))

    assert response.status_code == 404
    assert fake_stripe.requests == []


def test_an_order_paid_by_invoice_is_not_paid_by_card(
    client_for, alice: User, alice_org: Organisation, fake_stripe: FakeStripe
) -> None:
    order = order_for(alice_org, method=Order.Method.INVOICE, by=alice)

    response = client_for(alice).post(checkout_path(order))

    assert response.status_code == 302
    assert response["Location"] == order_path(order)
    assert messages_of(response) == ["This order is paid by invoice, not by card."]
    assert fake_stripe.requests == []


@pytest.mark.parametrize("status", [Order.Status.PAID, Order.Status.CANCELLED])
def test_an_order_no_longer_awaiting_payment_is_not_paid_again(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe, status: str
) -> None:
    if status == Order.Status.PAID:
        orders.mark_order_paid(card_order)
    else:
        Order.objects.filter(pk=card_order.pk).update(status=status)

    response = client_for(alice).post(checkout_path(card_order))

    assert response["Location"] == order_path(card_order)
    assert messages_of(response) == ["This order is not awaiting payment any more."]
    assert fake_stripe.requests == []


def test_without_stripe_keys_there_is_no_card_payment(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""

    with assert_unchanged(card_order):
        assert client_for(alice).post(checkout_path(card_order)).status_code == 404
    assert fake_stripe.requests == []


def test_when_stripe_refuses_the_buyer_is_told_and_nothing_changes(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe
) -> None:
    fake_stripe.status = 400
    fake_stripe.body = {
        "error": {"type": "invalid_request_error", "message": "Invalid currency: xyz"}
    }

    response = client_for(alice).post(checkout_path(card_order))

    assert response.status_code == 302
    assert response["Location"] == order_path(card_order)
    assert messages_of(response) == [
        "The card payment could not be started. Nothing was charged; try again in a moment."
    ]
    card_order.refresh_from_db()
    assert (card_order.status, card_order.stripe_session_id) == (Order.Status.PENDING, "")
    assert not AuditEvent.objects.filter(action="billing.checkout_started").exists()


def test_when_stripe_cannot_be_reached_the_buyer_is_told(
    client_for, alice: User, card_order: Order, fake_stripe: FakeStripe, monkeypatch
) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise stripe.APIConnectionError("Network is unreachable")

    monkeypatch.setattr(fake_stripe, "request", unreachable)

    response = client_for(alice).post(checkout_path(card_order))

    assert response["Location"] == order_path(card_order)
    assert messages_of(response)[0].startswith("The card payment could not be started.")
    card_order.refresh_from_db()
    assert card_order.stripe_session_id == ""


def test_the_service_refuses_an_order_paid_by_invoice(
    alice: User, alice_org: Organisation, fake_stripe: FakeStripe
) -> None:
    order = order_for(alice_org, method=Order.Method.INVOICE, by=alice)

    with pytest.raises(CreditError, match="paid by invoice"):
        stripe_payments.start_checkout(
            order, success_url="https://x.test/ok", cancel_url="https://x.test/no"
        )
    assert fake_stripe.requests == []


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("0.29", 29), ("64.86", 6486), ("1.005", 101), ("20000.00", 2000000), ("0.1", 10)],
)
def test_amounts_go_to_stripe_in_exact_cents(amount: str, cents: int) -> None:
    # 0.29 as a float times 100 is 28.999999999999996: the Decimal never goes through one.
    assert stripe_payments.to_cents(Decimal(amount)) == cents


def test_card_payments_are_enabled_by_the_secret_key(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    assert stripe_payments.card_payments_enabled() is False
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert stripe_payments.card_payments_enabled() is True
