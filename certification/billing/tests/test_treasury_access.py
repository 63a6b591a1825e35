"""Who may open the treasurer's pages: the treasurer only, and changes only by POST."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from certification.accounts.models import User
from certification.billing import statements
from certification.billing.models import (
    BankStatement,
    BillingAccount,
    CreditEntry,
    Invoice,
    Order,
    Payment,
)
from certification.billing.tests.factories import invoice_for
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(alice_org: Organisation) -> Invoice:
    invoice = invoice_for(alice_org)
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(b"%PDF-1.7 invoice"), save=True)
    return invoice


@pytest.fixture
def statement(tom: User, invoice: Invoice) -> BankStatement:
    data = statements.build_camt053([{"amount": "10.00", "reference": invoice.reference}])
    return statements.import_statement(data, name="march.xml", by=tom)


# The rows a change in the treasury writes: a refused one leaves their number as it was.
MONEY = (BillingAccount, CreditEntry, Order, Invoice, Payment, BankStatement)


@pytest.fixture
def pages(invoice: Invoice, statement: BankStatement) -> list[str]:
    """Every page the treasurer reads."""
    return [
        "/treasury/",
        "/treasury/organisations/",
        "/treasury/organisations/geoskolan/",
        "/treasury/invoices/",
        f"/treasury/invoices/{invoice.public_id}/",
        f"/treasury/invoices/{invoice.public_id}/pdf/",
        "/treasury/statements/",
        f"/treasury/statements/{statement.pk}/",
        "/treasury/exports/invoices.csv",
        "/treasury/exports/payments.csv",
        "/treasury/exports/ledger.csv",
    ]


@pytest.fixture
def changes(invoice: Invoice) -> list[tuple[str, dict[str, str]]]:
    """Every change the treasurer makes, with data that would be accepted."""
    return [
        ("/treasury/organisations/geoskolan/adjust/", {"amount": "5", "reason": "Gift"}),
        ("/treasury/organisations/geoskolan/allowance/", {"allowance": "5"}),
        (
            f"/treasury/invoices/{invoice.public_id}/payment/",
            {"amount": "60.00", "received_on": "2026-01-10", "reference": "B"},
        ),
        (
            f"/treasury/invoices/{invoice.public_id}/credit-note/",
            {"reason": "Twice", "confirm": "yes"},
        ),
        ("/treasury/statements/", {}),
    ]


def test_the_treasurer_opens_every_page(client_for, tom: User, pages: list[str]) -> None:
    client = client_for(tom)

    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["alice", "carol", "rita", "paula"])
def test_nobody_else_opens_them_or_changes_anything(
    request: pytest.FixtureRequest,
    client_for,
    persona: str,
    pages: list[str],
    changes: list[tuple[str, dict[str, str]]],
    invoice: Invoice,
) -> None:
    client = client_for(request.getfixturevalue(persona))

    for path in pages:
        assert client.get(path).status_code == 403, path
    with assert_unchanged(invoice, *MONEY):
        for path, data in changes:
            assert client.post(path, data).status_code == 403, path
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not invoice.payments.exclude(statement__isnull=False).exists()


def test_anonymous_visitors_are_asked_to_log_in(
    client: Client, pages: list[str], changes: list[tuple[str, dict[str, str]]], invoice: Invoice
) -> None:
    for path in pages:
        assert client.get(path)["Location"].startswith("/accounts/login/"), path
    with assert_unchanged(invoice, *MONEY):
        for path, data in changes:
            assert client.post(path, data)["Location"].startswith("/accounts/login/"), path


def test_changes_refuse_get(
    client_for, tom: User, changes: list[tuple[str, dict[str, str]]], invoice: Invoice
) -> None:
    client = client_for(tom)
    post_only = [path for path, _data in changes if path != "/treasury/statements/"]

    with assert_unchanged(invoice, *MONEY):
        for path in post_only:
            assert client.get(path).status_code == 405, path
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_unknown_invoices_statements_and_exports_are_not_found(client_for, tom: User) -> None:
    client = client_for(tom)

    for path in (
        "/treasury/invoices/0b6c1f8e-47a4-4a55-9d57-5d6b1f5c1a2e/",
        "/treasury/invoices/0b6c1f8e-47a4-4a55-9d57-5d6b1f5c1a2e/pdf/",
        "/treasury/statements/999/",
        "/treasury/exports/passwords.csv",
    ):
        assert client.get(path).status_code == 404, path
