"""The treasurer uploads a camt.053 bank statement and reads what matching it found."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.accounts.models import User
from certification.billing import statements
from certification.billing.models import BankStatement, Invoice, Payment
from certification.billing.tests.factories import invoice_for
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

STATEMENTS = "/treasury/statements/"


@pytest.fixture
def invoices(alice_org: Organisation, carol_org: Organisation) -> list[Invoice]:
    return [invoice_for(alice_org), invoice_for(carol_org)]


@pytest.fixture
def statement_file(invoices: list[Invoice]) -> bytes:
    paid, partial = invoices
    return statements.build_camt053(
        [
            {
                "amount": "60.00",
                "booking_date": "2026-03-02",
                "reference": paid.reference,
                "bank_reference": "B-1",
                "debtor_name": "Geoskolan AB",
            },
            {
                "amount": "20.00",
                "booking_date": "2026-03-02",
                "reference": partial.reference,
                "bank_reference": "B-2",
                "debtor_name": "Carto Lab Ltd",
            },
            {
                "amount": "12.00",
                "booking_date": "2026-03-03",
                "unstructured": "Membership fee",
                "bank_reference": "B-3",
                "debtor_name": "<script>Someone</script>",
            },
        ],
        statement_id="STMT-2026-03",
    )


def _upload(client: Any, content: bytes, name: str = "march.xml") -> Any:
    return client.post(
        STATEMENTS,
        {"file": SimpleUploadedFile(name, content, content_type="application/xml")},
        follow=True,
    )


def test_uploading_a_statement_records_the_payments_and_shows_the_report(
    client_for, tom: User, invoices: list[Invoice], statement_file: bytes
) -> None:
    paid, partial = invoices

    response = _upload(client_for(tom), statement_file)

    statement = BankStatement.objects.get()
    assert response.redirect_chain == [(f"{STATEMENTS}{statement.pk}/", 302)]
    assert (statement.original_name, statement.statement_id, statement.uploaded_by) == (
        "march.xml",
        "STMT-2026-03",
        tom,
    )
    assert statement.file.read() == statement_file
    content = response.content.decode()
    assert "Statement read. Credits: 3. Payments recorded: 2. To look at: 1." in content
    assert [section["key"] for section in response.context["sections"]] == [
        "paid",
        "partial",
        "unmatched",
    ]
    assert "Paid in full" in content
    assert "40.00 EUR still to pay" in content
    assert "The payer gave no invoice reference." in content
    assert "&lt;script&gt;Someone&lt;/script&gt;" in content
    assert f'href="/treasury/invoices/{paid.public_id}/"' in content
    paid.refresh_from_db()
    partial.refresh_from_db()
    assert (paid.status, partial.status) == (Invoice.Status.PAID, Invoice.Status.OPEN)


def test_uploading_it_again_records_nothing_twice(
    client_for, tom: User, invoices: list[Invoice], statement_file: bytes
) -> None:
    client = client_for(tom)
    _upload(client, statement_file)

    response = _upload(client, statement_file, name="march-again.xml")

    assert Payment.objects.count() == 2
    assert "Statement read. Credits: 3. Payments recorded: 0. To look at: 1." in (
        response.content.decode()
    )
    assert "Already recorded" in response.content.decode()


def test_the_list_shows_past_uploads(
    client_for, tom: User, invoices: list[Invoice], statement_file: bytes
) -> None:
    client = client_for(tom)
    assert "No statements uploaded yet." in client.get(STATEMENTS).content.decode()
    _upload(client, statement_file)

    response = client.get(STATEMENTS)

    content = response.content.decode()
    assert [s.original_name for s in response.context["page"].object_list] == ["march.xml"]
    assert "STMT-2026-03" in content
    assert "Tom Treasurer" in content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Date;Amount\n2026-03-02;60.00\n", "This file is not XML."),
        (b"<html><body>Bank</body></html>", "This XML file is not a camt.053 bank statement."),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>',
            "This XML file is not a camt.053 bank statement.",
        ),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_a_statement_gets_a_clear_error(
    client_for, tom: User, content: bytes, message: str
) -> None:
    response = _upload(client_for(tom), content, name="statement.xml")

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not BankStatement.objects.exists()


def test_a_file_over_5_mb_is_refused(client_for, tom: User) -> None:
    response = _upload(client_for(tom), b" " * (5 * 1024 * 1024 + 1))

    assert response.context["form"].errors["file"] == [
        "The file is larger than 5 MB: it is not a bank statement."
    ]
    assert not BankStatement.objects.exists()


def test_the_upload_needs_a_file(client_for, tom: User) -> None:
    response = client_for(tom).post(STATEMENTS, {})

    assert response.context["form"].errors["file"] == ["This field is required."]
