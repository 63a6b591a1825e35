"""Paying for certificates in Chromium, as the organisation and the treasurer see it.

1. Alice, the owner of Geoskolan, enters the billing details once, asks for an invoice for 10
   certificates, sees the price with its VAT before ordering, and downloads the invoice's
   PDF. Tom, the treasurer, uploads the bank's camt.053 statement: its transfer quotes the
   invoice's RF reference, so it pays the invoice, and Alice's balance shows 10 more credits.
2. Alice buys 5 credits by card: she is sent to Stripe (stopped at its address: no network in
   tests), comes back to "credits on their way", and Stripe's signed webhook — built and
   signed here — completes the order while her page waits; the page updates by itself.
"""

import hashlib
import hmac
import json
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from certification.accounts.models import User
from certification.accounts.tests.browser import become, log_in
from certification.billing.ledger import balance
from certification.billing.models import Invoice, Order
from certification.billing.statements import build_camt053
from certification.billing.tests.factories import BillingAccountFactory
from certification.billing.tests.fakes import SESSION_ID, SESSION_URL, use_fake_stripe
from certification.organisations.models import Organisation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def open_billing(page: Page) -> None:
    page.get_by_role("link", name="Geoskolan AB").click()
    page.get_by_role("link", name="Billing", exact=True).click()
    expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()


def figure(page: Page, term: str) -> Any:
    return page.locator(".figures div").filter(has=page.get_by_text(term, exact=True)).locator("dd")


def enter_billing_details(page: Page) -> None:
    expect(page.get_by_role("heading", name="Billing details", level=1)).to_be_visible()
    expect(page.get_by_label("Legal name")).to_have_value("Geoskolan AB")  # from the profile
    page.get_by_label("Street address").fill("Drottninggatan 12")
    page.get_by_label("Postcode").fill("111 51")
    page.get_by_label("City").fill("Stockholm")
    page.get_by_label("Country").select_option("SE")
    page.get_by_label("VAT number").fill("SE556677889901")
    page.get_by_label("Email for invoices").fill("ekonomi@geoskolan.example")
    page.get_by_role("button", name="Save and continue").click()


def test_an_invoice_is_ordered_paid_by_transfer_and_its_credits_arrive(
    page: Page,
    live_server: Any,
    alice: User,
    alice_org: Organisation,
    tom: User,
    tmp_path: Path,
    test_output_dir: Path,
) -> None:
    log_in(page, alice)
    open_billing(page)
    expect(figure(page, "Credit balance")).to_have_text("0")
    page.get_by_role("link", name="Buy credits").click()
    enter_billing_details(page)

    # How many and how: the price with its VAT comes before anything is ordered.
    expect(page.get_by_role("heading", name="Buy credits", level=1)).to_be_visible()
    expect(page.get_by_label("By card, now (Stripe)")).to_have_count(0)  # no Stripe keys
    page.get_by_label("Number of credits").fill("10")
    page.get_by_label("By invoice, paid by bank transfer (SEPA)").check()
    page.get_by_role("button", name="Show the price").click()
    price = page.get_by_role("region", name="2. Check and confirm")
    expect(price).to_contain_text("10 credits × 20.00 EUR")
    expect(price).to_contain_text("Reverse charge")
    expect(price.get_by_role("row", name="Total")).to_contain_text("200.00 EUR")
    assert not Order.objects.exists()
    price.get_by_role("button", name="Order an invoice of 200.00 EUR").click()

    invoice = Invoice.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"Invoice {invoice.number} is issued")
    how = page.get_by_role("region", name=f"Invoice {invoice.number}")
    expect(how).to_contain_text(invoice.reference)
    expect(how).to_contain_text("CH93 0076 2011 6238 5295 7")
    expect(page.get_by_text("The credits are added when the invoice is paid.")).to_be_visible()

    # The PDF, rendered and emailed by the task right after the order.
    with page.expect_download() as download:
        how.get_by_role("link", name="Download the invoice (PDF)").click()
    pdf = download.value.path().read_bytes()
    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_bounded()
    document[0].render(scale=1.2).to_pil().save(test_output_dir / "billing-invoice.png")
    document.close()
    assert invoice.number in text
    assert "200.00" in text

    # Tom uploads the bank's statement: the transfer quotes the invoice's reference.
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(
        build_camt053(
            [
                {
                    "amount": "200.00",
                    "reference": invoice.reference,
                    "debtor_name": "Geoskolan AB",
                    "bank_reference": "BANK-2026-42",
                }
            ]
        )
    )
    become(page, tom, live_server.url)
    page.goto("/treasury/")
    page.get_by_role("link", name="Bank statements").first.click()
    page.get_by_label("Bank statement (camt.053 XML)").set_input_files(statement)
    page.get_by_role("button", name="Upload and match").click()
    paid = page.get_by_role("region", name=re.compile("^Paid in full"))
    expect(paid).to_contain_text(invoice.number)
    expect(paid).to_contain_text("200.00 EUR")

    # Alice sees 10 more credits.
    become(page, None, live_server.url)
    log_in(page, alice)
    open_billing(page)
    expect(figure(page, "Credit balance")).to_have_text("10")
    expect(page.get_by_role("row").filter(has_text=invoice.number).first).to_contain_text("Paid")
    assert balance(alice_org) == 10


def signed(payload: dict[str, Any], secret: str) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def test_credits_bought_by_card_arrive_when_stripe_confirms(
    page: Page,
    live_server: Any,
    alice: User,
    alice_org: Organisation,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = use_fake_stripe(settings, monkeypatch)
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Stripe Checkout (test)</h1>"
        ),
    )
    BillingAccountFactory(organisation=alice_org, vat_number="SE556677889901")

    log_in(page, alice)
    open_billing(page)
    page.get_by_role("link", name="Buy credits").click()
    page.get_by_label("Number of credits").fill("5")
    page.get_by_label("By card, now (Stripe)").check()
    page.get_by_role("button", name="Show the price").click()
    page.get_by_role("button", name="Pay 100.00 EUR by card").click()

    # Stripe's page (stopped here): the session was made for the server's total.
    expect(page.get_by_role("heading", name="Stripe Checkout (test)")).to_be_visible()
    assert page.url == SESSION_URL
    [request] = fake.requests
    assert request["data"]["line_items[0][price_data][unit_amount]"] == "10000"
    order = Order.objects.get()
    assert order.stripe_session_id == SESSION_ID

    # Back from Stripe: the payment is on its way; the page waits for the webhook.
    page.goto(f"/dashboard/organisations/geoskolan/billing/orders/{order.public_id}/?checkout=done")
    expect(page.get_by_text("Payment received, credits on their way")).to_be_visible()
    body, signature = signed(
        {
            "id": "evt_test_browser",
            "object": "event",
            "type": "checkout.session.completed",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": SESSION_ID,
                    "object": "checkout.session",
                    "client_reference_id": str(order.public_id),
                    "payment_status": "paid",
                    "amount_total": 10000,
                    "currency": "eur",
                    "payment_intent": "pi_test_browser",
                    "metadata": {"order": str(order.public_id)},
                }
            },
        },
        settings.STRIPE_WEBHOOK_SECRET,
    )
    response = Client().post(
        "/billing/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 200

    expect(page.get_by_text("5 credits were added to your balance.")).to_be_visible()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert balance(alice_org) == 5
    assert order.total_amount == Decimal("100.00")
