"""Periodic billing: reminders for overdue invoices, and the monthly batch invoice of the
certificates an organisation with an allowance issued beyond its credits."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from certification.accounts.models import User
from certification.billing import invoicing, ledger, orders, periodic
from certification.billing.models import BillingAccount, CreditEntry, Invoice, Order
from certification.billing.tests.factories import order_for
from certification.core.models import AuditEvent
from certification.core.periodic import registered_jobs
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ISSUED_ON = date(2026, 1, 5)
DUE_ON = ISSUED_ON + timedelta(days=30)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., int]:
    """Run a job as `manage.py run_periodic` would, emails delivered after the commit."""

    def run_job(job: Callable[[datetime], int], day: date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return job(_at(day))

    return run_job


@pytest.fixture
def invoice(alice_org: Organisation) -> Invoice:
    """An open invoice of 60.00 EUR issued on 5 January 2026, due on 4 February."""
    return invoicing.issue_invoice(order_for(alice_org), today=ISSUED_ON)


def test_both_jobs_are_registered() -> None:
    jobs = registered_jobs()

    assert jobs["invoice_reminders"] is periodic.send_invoice_reminders
    assert jobs["monthly_batch_invoices"] is periodic.invoice_monthly_batches


# --- Reminders ----------------------------------------------------------------------------


def test_reminders_go_out_7_21_and_35_days_after_the_due_date_and_no_more(
    run: Callable[..., int], invoice: Invoice
) -> None:
    sent = {
        days: run(periodic.send_invoice_reminders, DUE_ON + timedelta(days=days))
        for days in (6, 7, 20, 21, 35, 49, 63)
    }

    assert sent == {6: 0, 7: 1, 20: 0, 21: 1, 35: 1, 49: 0, 63: 0}
    assert len(mail.outbox) == 3
    invoice.refresh_from_db()
    assert (invoice.reminders_sent, invoice.last_reminder_on) == (3, DUE_ON + timedelta(days=35))
    assert (
        AuditEvent.objects.for_object(invoice)
        .filter(action="billing.invoice_reminder_sent")
        .count()
        == 3
    )


def test_running_the_job_twice_on_the_same_day_sends_one_reminder(
    run: Callable[..., int], invoice: Invoice
) -> None:
    day = DUE_ON + timedelta(days=7)

    assert run(periodic.send_invoice_reminders, day) == 1
    assert run(periodic.send_invoice_reminders, day) == 0
    assert len(mail.outbox) == 1


def test_a_job_that_did_not_run_for_weeks_sends_one_reminder_not_a_burst(
    run: Callable[..., int], invoice: Invoice
) -> None:
    late = DUE_ON + timedelta(days=40)

    sent = [run(periodic.send_invoice_reminders, late + timedelta(days=n)) for n in (0, 1, 13, 14)]

    assert sent == [1, 0, 0, 1]


def test_the_reminder_says_what_is_still_due_and_how_to_pay(
    run: Callable[..., int], invoice: Invoice, tom: User
) -> None:
    invoicing.record_payment(
        invoice, amount=Decimal("25.00"), received_on=DUE_ON, reference="B-1", by=tom
    )

    run(periodic.send_invoice_reminders, DUE_ON + timedelta(days=7))

    (message,) = mail.outbox
    assert message.to == ["invoices@geoskolan.example.org"]
    assert message.subject == f"Reminder: invoice {invoice.number} is overdue"
    body = message.body
    assert "Still to pay: 35.00\N{NO-BREAK SPACE}EUR" in body
    assert "of 60.00\N{NO-BREAK SPACE}EUR" in body
    assert "CH93 0076 2011 6238 5295 7" in body
    assert invoice.reference in body
    assert "http://testserver/dashboard/organisations/geoskolan/billing/" in body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert invoice.reference in html
    assert "35.00" in html


def test_paid_and_cancelled_invoices_get_no_reminder(
    run: Callable[..., int], invoice: Invoice, carol_org: Organisation, tom: User
) -> None:
    invoicing.record_payment(invoice, amount=Decimal("60.00"), received_on=DUE_ON, by=tom)
    cancelled = invoicing.issue_invoice(order_for(carol_org), today=ISSUED_ON)
    invoicing.issue_credit_note(cancelled, by=tom, reason="Ordered twice")

    for days in (7, 21, 35):
        assert run(periodic.send_invoice_reminders, DUE_ON + timedelta(days=days)) == 0

    assert mail.outbox == []


def test_without_an_invoice_address_the_contact_email_is_reminded(
    run: Callable[..., int], alice_org: Organisation
) -> None:
    invoice = invoicing.issue_invoice(order_for(alice_org, billing_email=""), today=ISSUED_ON)

    run(periodic.send_invoice_reminders, DUE_ON + timedelta(days=7))

    assert [message.to for message in mail.outbox] == [[alice_org.contact_email]]
    assert invoice.buyer["email"] == ""


# --- The monthly batch --------------------------------------------------------------------


def _issue(organisation: Organisation, codes: list[str], by: User, when: datetime) -> None:
    with time_machine.travel(when, tick=False), transaction.atomic():
        ledger.spend_for_certificates(organisation, codes, by=by)


@pytest.fixture
def owing(alice_org: Organisation, alice: User, tom: User) -> Organisation:
    """Geoskolan, allowance 10, issued 3 certificates in March 2026 without credits."""
    ledger.set_allowance(alice_org, by=tom, allowance=10)
    _issue(
        alice_org, ["QGIS-AAAA", "QGIS-BBBB", "QGIS-CCCC"], alice, datetime(2026, 3, 12, tzinfo=UTC)
    )
    assert ledger.balance(alice_org) == -3
    return alice_org


def test_the_first_of_the_month_invoices_the_certificates_issued_beyond_credits(
    run: Callable[..., int], owing: Organisation
) -> None:
    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 1

    order = Order.objects.get(organisation=owing)
    assert (order.method, order.period, order.quantity, order.status) == (
        Order.Method.BATCH,
        date(2026, 3, 1),
        3,
        Order.Status.PENDING,
    )
    invoice = order.invoices.get()
    assert (invoice.status, invoice.issued_on, invoice.total_amount) == (
        Invoice.Status.OPEN,
        date(2026, 4, 1),
        Decimal("60.00"),
    )
    (line,) = invoice.lines.all()
    assert line.description == (
        "3 QGIS certificates issued in 2026-03 beyond prepaid credits: "
        "QGIS-AAAA, QGIS-BBBB, QGIS-CCCC"
    )
    # The credits were spent already: the invoice settles the balance.
    assert ledger.balance(owing) == 0


def test_the_monthly_batch_is_made_once(run: Callable[..., int], owing: Organisation) -> None:
    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 1
    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 0
    assert run(periodic.invoice_monthly_batches, date(2026, 4, 2)) == 0

    assert Order.objects.filter(method=Order.Method.BATCH).count() == 1
    assert Invoice.objects.count() == 1


def test_nothing_is_invoiced_before_the_month_is_over(
    run: Callable[..., int], owing: Organisation
) -> None:
    assert run(periodic.invoice_monthly_batches, date(2026, 3, 31)) == 0

    assert not Order.objects.exists()


def test_certificates_issued_after_the_month_wait_for_the_next_batch(
    run: Callable[..., int], owing: Organisation, alice: User
) -> None:
    _issue(owing, ["QGIS-DDDD"], alice, datetime(2026, 4, 2, tzinfo=UTC))

    run(periodic.invoice_monthly_batches, date(2026, 4, 3))
    run(periodic.invoice_monthly_batches, date(2026, 5, 1))

    batches = Order.objects.filter(method=Order.Method.BATCH).order_by("period")
    assert [(order.period, order.quantity) for order in batches] == [
        (date(2026, 3, 1), 3),
        (date(2026, 4, 1), 1),
    ]
    assert "QGIS-DDDD" in batches[1].invoices.get().lines.get().description


def test_refunded_certificates_are_not_invoiced(
    run: Callable[..., int], owing: Organisation, alice: User
) -> None:
    with time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False):
        ledger.refund_certificate(owing, "QGIS-CCCC", by=alice, reason="Revoked the same day")

    run(periodic.invoice_monthly_batches, date(2026, 4, 1))

    line = Invoice.objects.get().lines.get()
    assert line.quantity == 2
    assert line.description.endswith(": QGIS-AAAA, QGIS-BBBB")


def test_an_organisation_without_billing_details_gets_them_from_its_profile(
    run: Callable[..., int], owing: Organisation
) -> None:
    run(periodic.invoice_monthly_batches, date(2026, 4, 1))

    account = BillingAccount.objects.get(organisation=owing)
    assert (
        account.billing_name,
        account.billing_street,
        account.billing_city,
        str(account.billing_country),
        account.billing_email,
    ) == ("Geoskolan AB", "Storgatan 1", "111 22 Stockholm", "SE", "info@geoskolan.example.org")
    assert Invoice.objects.get().buyer["name"] == "Geoskolan AB"


def test_billing_details_already_given_are_kept(
    run: Callable[..., int], owing: Organisation
) -> None:
    orders.billing_account(owing)
    BillingAccount.objects.filter(organisation=owing).update(
        billing_name="Geoskolan Aktiebolag",
        billing_street="Box 12",
        billing_city="Uppsala",
        billing_country="SE",
    )

    run(periodic.invoice_monthly_batches, date(2026, 4, 1))

    buyer = Invoice.objects.get().buyer
    assert (buyer["name"], buyer["street"], buyer["city"]) == (
        "Geoskolan Aktiebolag",
        "Box 12",
        "Uppsala",
    )


def test_an_organisation_without_an_address_is_not_invoiced_yet(
    run: Callable[..., int], owing: Organisation
) -> None:
    Organisation.objects.filter(pk=owing.pk).update(address="")

    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 0

    assert not Order.objects.exists()


def test_organisations_that_owe_nothing_get_no_batch(
    run: Callable[..., int], carol_org: Organisation, carol: User, tom: User
) -> None:
    ledger.set_allowance(carol_org, by=tom, allowance=5)
    ledger.adjust_credits(carol_org, by=tom, amount=4, reason="Bought")
    _issue(carol_org, ["QGIS-EEEE", "QGIS-FFFF"], carol, datetime(2026, 3, 3, tzinfo=UTC))

    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 0

    assert ledger.balance(carol_org) == 2
    assert not Order.objects.exists()
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.PURCHASE).count() == 0


def test_a_batch_beyond_the_largest_order_is_invoiced_whole(
    run: Callable[..., int], alice_org: Organisation, alice: User, tom: User, settings: Any
) -> None:
    settings.CREDITS_PER_ORDER_MAX = 5
    ledger.set_allowance(alice_org, by=tom, allowance=10)
    codes = [f"QGIS-{number:04d}" for number in range(7)]
    _issue(alice_org, codes, alice, datetime(2026, 3, 12, tzinfo=UTC))

    assert run(periodic.invoice_monthly_batches, date(2026, 4, 1)) == 1

    assert Order.objects.get().quantity == 7
    assert ledger.balance(alice_org) == 0
