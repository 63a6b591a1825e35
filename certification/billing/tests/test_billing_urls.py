"""Billing's URL names (`billing:` for the organisation's pages and Stripe's webhook,
`treasury:` for the treasurer's) and the paths they have always had; and what importing the
pages, services and jobs loads."""

import os
import subprocess
import sys
import uuid

import pytest
from django.urls import reverse

ORDER = uuid.UUID("0b6c1f8e-47a4-4a55-9d57-5d6b1f5c1a2e")
BILLING = "/dashboard/organisations/geoskolan/billing/"
SLUG = {"slug": "geoskolan"}


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("billing:overview", SLUG, BILLING),
        ("billing:billing_details", SLUG, BILLING + "details/"),
        ("billing:buy_credits", SLUG, BILLING + "buy/"),
        ("billing:buy_credits_confirm", SLUG, BILLING + "buy/confirm/"),
        ("billing:order_detail", {**SLUG, "order_id": ORDER}, f"{BILLING}orders/{ORDER}/"),
        (
            "billing:order_status",
            {**SLUG, "order_id": ORDER},
            f"{BILLING}orders/{ORDER}/status/",
        ),
        (
            "billing:order_checkout",
            {**SLUG, "order_id": ORDER},
            f"{BILLING}orders/{ORDER}/checkout/",
        ),
        (
            "billing:invoice_pdf",
            {**SLUG, "invoice_id": ORDER},
            f"{BILLING}invoices/{ORDER}/pdf/",
        ),
        ("billing:stripe_webhook", {}, "/billing/stripe/webhook/"),
        ("treasury:overview", {}, "/treasury/"),
        ("treasury:organisation_list", {}, "/treasury/organisations/"),
        ("treasury:organisation_detail", SLUG, "/treasury/organisations/geoskolan/"),
        ("treasury:adjust_credits", SLUG, "/treasury/organisations/geoskolan/adjust/"),
        ("treasury:set_allowance", SLUG, "/treasury/organisations/geoskolan/allowance/"),
        ("treasury:invoice_list", {}, "/treasury/invoices/"),
        ("treasury:invoice_detail", {"invoice_id": ORDER}, f"/treasury/invoices/{ORDER}/"),
        ("treasury:invoice_pdf", {"invoice_id": ORDER}, f"/treasury/invoices/{ORDER}/pdf/"),
        (
            "treasury:record_payment",
            {"invoice_id": ORDER},
            f"/treasury/invoices/{ORDER}/payment/",
        ),
        (
            "treasury:credit_note",
            {"invoice_id": ORDER},
            f"/treasury/invoices/{ORDER}/credit-note/",
        ),
        ("treasury:statement_list", {}, "/treasury/statements/"),
        ("treasury:statement_detail", {"pk": 7}, "/treasury/statements/7/"),
        ("treasury:export", {"kind": "ledger"}, "/treasury/exports/ledger.csv"),
    ],
)
def test_each_name_keeps_its_path(name: str, kwargs: dict[str, object], path: str) -> None:
    assert reverse(name, kwargs=kwargs) == path


def test_pages_services_and_jobs_do_not_load_the_pdf_renderer() -> None:
    """WeasyPrint takes most of a second to load: only rendering an invoice needs it."""
    script = (
        "import sys, django; django.setup()\n"
        "import certification.billing.views, certification.billing.treasury.views\n"
        "import certification.billing.webhooks, certification.billing.periodic\n"
        "import certification.billing.invoicing, certification.billing.reminders\n"
        "import certification.billing.tasks, certification.billing.documents\n"
        "print(sorted({'weasyprint', 'facturx'} & set(sys.modules)))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "certification.settings_test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip().splitlines()[-1] == "[]"
