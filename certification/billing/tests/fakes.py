"""Stripe's side of the wire for tests: only its HTTP transport is replaced; the official
library builds and reads every request as it would with Stripe."""

import json
from typing import Any
from urllib.parse import parse_qs

import stripe

from certification.billing import stripe_payments

SESSION_ID = "cs_test_a1b2c3"
SESSION_URL = f"https://checkout.stripe.com/c/pay/{SESSION_ID}"


class FakeStripe(stripe.HTTPClient):
    """Stripe's side of the wire: records each request and answers with canned JSON."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []
        # Answers given before the default one, first to last.
        self.answers: list[dict[str, Any]] = []
        self.status = 200
        self.body: dict[str, Any] = {
            "id": SESSION_ID,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "url": SESSION_URL,
        }

    def request(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        *,
        _usage: Any = None,
    ) -> tuple[str, int, dict[str, str]]:
        self.requests.append(
            {
                "method": method,
                "url": url,
                "headers": dict(headers or {}),
                "data": {key: values[0] for key, values in parse_qs(post_data or "").items()},
            }
        )
        body = self.answers.pop(0) if self.answers else self.body
        return json.dumps(body), self.status, {"request-id": "req_test"}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Checkout does not stream.")

    def close(self) -> None:
        pass


def use_fake_stripe(settings: Any, monkeypatch: Any) -> "FakeStripe":
    """Card payments configured, and every call to Stripe answered by a FakeStripe."""
    settings.STRIPE_SECRET_KEY = "sk_test_checkout"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_checkout"
    fake = FakeStripe()
    monkeypatch.setattr(stripe_payments, "http_client", lambda: fake)
    return fake
