"""Buying credits, for an organisation's owners and managers: billing details asked once, the
price from the server with its VAT, an invoice issued at once, and the order's page."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from certification.accounts.models import User
from certification.billing import invoicing, orders
from certification.billing.models import BillingAccount, CreditEntry, Invoice, Order
from certification.billing.tests.factories import BillingAccountFactory
from certification.billing.tests.fakes import SESSION_URL, use_fake_stripe
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

BILLING = "/dashboard/organisations/geoskolan/billing/"
DETAILS = BILLING + "details/"
BUY = BILLING + "buy/"
CONFIRM = BILLING + "buy/confirm/"


@pytest.fixture(autouse=True)
def _seller(settings) -> None:
    settings.SELLER_VAT_REGISTERED = True
    settings.SELLER_COUNTRY = "CH"
    settings.VAT_RATE_PERCENT = Decimal("8.10")
    settings.CERTIFICATE_PRICE_EUR = Decimal("20.00")
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


def with_details(organisation: Organisation, *, country: str = "SE", vat: str = "") -> None:
    BillingAccountFactory(organisation=organisation, billing_country=country, vat_number=vat)


def order_of(organisation: Organisation, user: User, quantity: int = 3) -> Order:
    return orders.create_order(
        organisation, quantity=quantity, method=Order.Method.INVOICE, by=user
    )


# --- Billing details ---------------------------------------------------------------------------


def test_buying_asks_for_the_billing_details_first(client_for, alice: User) -> None:
    response = client_for(alice).get(BUY)

    assert response.status_code == 302
    assert response["Location"] == DETAILS + "?next=buy"


def test_the_details_start_from_the_organisations_profile(
    client_for, alice: User, alice_org: Organisation
) -> None:
    alice_org.vat_number = "SE556677889901"
    alice_org.contact_email = "info@geoskolan.example"
    alice_org.save()

    form = client_for(alice).get(DETAILS).context["form"]

    assert form.initial["billing_name"] == "Geoskolan AB"
    assert form.initial["billing_country"] == "SE"
    assert form.initial["vat_number"] == "SE556677889901"
    assert form.initial["billing_email"] == "info@geoskolan.example"


def test_a_malformed_vat_number_is_refused_and_the_input_kept(
    client_for, alice: User, alice_org: Organisation
) -> None:
    data = {
        "billing_name": "Geoskolan AB",
        "billing_street": "Storgatan 1",
        "billing_postcode": "411 38",
        "billing_city": "Göteborg",
        "billing_country": "SE",
        "vat_number": "SE12345",
        "billing_email": "ekonomi@geoskolan.example",
    }

    response = client_for(alice).post(DETAILS + "?next=buy", data)

    assert response.status_code == 200
    assert "not a valid VAT number" in response.content.decode()
    assert 'value="Storgatan 1"' in response.content.decode()
    assert not orders.billing_account(alice_org).has_billing_details

    data["vat_number"] = "se 5566 7788 9901"
    response = client_for(alice).post(DETAILS + "?next=buy", data)

    assert response.status_code == 302
    assert response["Location"] == BUY
    assert orders.billing_account(alice_org).vat_number == "SE556677889901"


# --- The price -------------------------------------------------------------------------------


def test_the_price_comes_from_the_server_with_its_vat(
    client_for, alice: User, alice_org: Organisation
) -> None:
    with_details(alice_org, country="CH")

    response = client_for(alice).get(BUY, {"quantity": 3, "method": "invoice"})

    quote = response.context["quote"]
    assert (quote.net_amount, quote.vat_amount, quote.total_amount) == (
        Decimal("60.00"),
        Decimal("4.86"),
        Decimal("64.86"),
    )
    content = response.content.decode()
    assert "VAT 8.10 %" in content
    assert "64.86 EUR" in content
    assert not Order.objects.exists()  # nothing is ordered by looking at the price


def test_an_eu_business_with_a_vat_number_sees_reverse_charge(
    client_for, alice: User, alice_org: Organisation
) -> None:
    with_details(alice_org, country="SE", vat="SE556677889901")

    response = client_for(alice).get(BUY, {"quantity": 10, "method": "invoice"})

    assert response.context["quote"].total_amount == Decimal("200.00")
    assert "Reverse charge" in response.content.decode()


@pytest.mark.parametrize("quantity", ["0", "1001", "-5", "ten"])
def test_a_quantity_outside_1_to_1000_is_refused(
    client_for, alice: User, alice_org: Organisation, quantity: str
) -> None:
    with_details(alice_org)
    client = client_for(alice)

    page = client.get(BUY, {"quantity": quantity, "method": "invoice"})
    response = client.post(CONFIRM, {"quantity": quantity, "method": "invoice"})

    assert page.context["quote"] is None
    assert page.context["form"].errors["quantity"]
    assert response.status_code == 302
    assert not Order.objects.exists()


def test_without_stripe_keys_the_card_option_is_hidden_and_refused(
    client_for, alice: User, alice_org: Organisation
) -> None:
    with_details(alice_org)
    client = client_for(alice)

    content = client.get(BUY).content.decode()
    response = client.post(CONFIRM, {"quantity": 2, "method": "card"})

    assert 'value="card"' not in content
    assert "Card payments are not available" in content
    assert response.status_code == 302
    assert not Order.objects.exists()


# --- Ordering an invoice ---------------------------------------------------------------------


def test_ordering_an_invoice_issues_it_with_the_servers_price(
    client_for, alice: User, alice_org: Organisation, settings
) -> None:
    with_details(alice_org, country="CH")

    response = client_for(alice).post(
        CONFIRM, {"quantity": "3", "method": "invoice", "total": "0.01", "unit_price": "0"}
    )

    order = Order.objects.get()
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BILLING}orders/{order.public_id}/"
    assert (order.quantity, order.total_amount, order.method) == (3, Decimal("64.86"), "invoice")
    assert invoice.total_amount == Decimal("64.86")
    assert invoice.number == f"QGIS-{invoice.issued_on.year}-0001"
    assert invoice.buyer["name"] == "Geoskolan AB"
    # Without an allowance the credits wait for the payment.
    assert not CreditEntry.objects.filter(organisation=alice_org).exists()


def test_the_order_page_says_how_to_pay(client_for, alice: User, alice_org: Organisation) -> None:
    with_details(alice_org)
    invoice = invoicing.issue_invoice(order_of(alice_org, alice), by=alice)

    response = client_for(alice).get(f"{BILLING}orders/{invoice.order.public_id}/")

    content = response.content.decode()
    assert "CH93 0076 2011 6238 5295 7" in content
    assert invoice.reference in content
    assert invoice.number in content
    assert "The credits are added when the invoice is paid." in content


def test_an_organisation_with_an_allowance_gets_the_credits_at_once(
    client_for, alice: User, alice_org: Organisation
) -> None:
    with_details(alice_org)
    BillingAccount.objects.filter(organisation=alice_org).update(allowance=20)

    client_for(alice).post(CONFIRM, {"quantity": "5", "method": "invoice"})

    entry = CreditEntry.objects.get(organisation=alice_org)
    assert (entry.kind, entry.amount, entry.order) == ("purchase", 5, Order.objects.get())


def test_paying_the_invoice_grants_the_credits(
    client_for, alice: User, alice_org: Organisation, tom: User
) -> None:
    with_details(alice_org)
    invoice = invoicing.issue_invoice(order_of(alice_org, alice), by=alice)

    invoicing.record_payment(
        invoice, amount=invoice.total_amount, received_on=invoice.issued_on, by=tom
    )

    response = client_for(alice).get(BILLING)
    assert response.context["balance"] == 3
    [payment] = response.context["payments_page"].object_list
    assert (payment.amount, payment.invoice) == (invoice.total_amount, invoice)
    assert (
        "3 credits were added"
        in client_for(alice).get(f"{BILLING}orders/{invoice.order.public_id}/").content.decode()
    )


# --- The billing page and the PDF --------------------------------------------------------------


def test_the_billing_page_lists_orders_and_invoices_in_constant_queries(
    client_for, alice: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    with_details(alice_org)
    client = client_for(alice)
    invoicing.issue_invoice(order_of(alice_org, alice), by=alice)
    client.get(BILLING)
    with django_assert_max_num_queries(40) as few:
        client.get(BILLING)
    for _ in range(6):
        invoicing.issue_invoice(order_of(alice_org, alice), by=alice)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BILLING)

    content = response.content.decode()
    assert len(response.context["invoices_page"].object_list) == 7
    assert all(invoice.number in content for invoice in Invoice.objects.all())


def test_the_invoice_pdf_is_served_to_the_organisation_only(
    client_for, alice: User, carol: User, alice_org: Organisation
) -> None:
    with_details(alice_org)
    invoice = invoicing.issue_invoice(order_of(alice_org, alice), by=alice)
    url = f"{BILLING}invoices/{invoice.public_id}/pdf/"

    not_ready = client_for(alice).get(url)
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    ready = client_for(alice).get(url)

    assert not_ready.status_code == 404
    assert ready.status_code == 200
    assert b"".join(ready.streaming_content) == b"%PDF-1.7 test"
    assert ready["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert ready["X-Content-Type-Options"] == "nosniff"
    assert client_for(carol).get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("bob", 403), ("carol", 404), ("tom", 404), ("rita", 403)]
)
def test_nobody_else_buys_or_sees_orders(
    request: pytest.FixtureRequest,
    client_for,
    alice: User,
    alice_org: Organisation,
    persona: str,
    status: int,
) -> None:
    with_details(alice_org)
    order = order_of(alice_org, alice)
    client = client_for(request.getfixturevalue(persona))

    for url in (DETAILS, BUY, f"{BILLING}orders/{order.public_id}/"):
        assert client.get(url).status_code == status, url
    with assert_unchanged(order, Order):
        assert client.post(CONFIRM, {"quantity": 1, "method": "invoice"}).status_code == status
    assert Order.objects.count() == 1


def test_another_organisations_order_is_not_found(
    client_for, alice: User, carol: User, carol_org: Organisation
) -> None:
    with_details(carol_org)
    order = order_of(carol_org, carol)

    assert client_for(alice).get(f"{BILLING}orders/{order.public_id}/").status_code == 404


def test_confirming_is_a_post(client_for, alice: User, alice_org: Organisation) -> None:
    with_details(alice_org)

    with assert_unchanged(Order):
        assert client_for(alice).get(CONFIRM).status_code == 405


# --- Buying by card ------------------------------------------------------------------------------


def test_buying_by_card_goes_to_stripe_for_the_servers_total(
    client_for, alice: User, alice_org: Organisation, settings, monkeypatch
) -> None:
    fake = use_fake_stripe(settings, monkeypatch)
    with_details(alice_org, country="CH")
    client = client_for(alice)

    page = client.get(BUY, {"quantity": 3, "method": "card"}).content.decode()
    response = client.post(CONFIRM, {"quantity": "3", "method": "card", "total": "1.00"})

    order = Order.objects.get()
    assert 'value="card"' in page
    assert "Pay 64.86 EUR by card" in page
    assert response.status_code == 303
    assert response["Location"] == SESSION_URL
    assert (order.method, order.status, order.total_amount) == ("card", "pending", Decimal("64.86"))
    [sent] = fake.requests
    assert sent["data"]["line_items[0][price_data][unit_amount]"] == "6486"
    assert not CreditEntry.objects.exists()  # only the webhook grants them


def test_back_from_stripe_the_order_waits_for_the_webhook(
    client_for, alice: User, alice_org: Organisation, settings, monkeypatch
) -> None:
    use_fake_stripe(settings, monkeypatch)
    with_details(alice_org)
    order = orders.create_order(alice_org, quantity=2, method=Order.Method.CARD, by=alice)
    client = client_for(alice)
    status = f"{BILLING}orders/{order.public_id}/status/?checkout=done"

    waiting = client.get(f"{BILLING}orders/{order.public_id}/?checkout=done").content.decode()
    orders.mark_order_paid(order)
    done = client.get(status).content.decode()

    assert "Payment received, credits on their way" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert "2 credits were added to your balance." in done
    assert "hx-trigger" not in done  # the polling stops


def test_looking_at_the_billing_pages_writes_nothing(
    client_for, alice: User, alice_org: Organisation
) -> None:
    client = client_for(alice)

    for url in (BILLING, DETAILS, BUY):
        client.get(url)

    assert not BillingAccount.objects.filter(organisation=alice_org).exists()
