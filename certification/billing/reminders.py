"""Reminders of overdue invoices: when the next one is due, and sending it.

The first reminder comes INVOICE_REMINDER_FIRST_DAYS after the due date, then one every
INVOICE_REMINDER_INTERVAL_DAYS, at most INVOICE_REMINDER_MAX. `send_reminder` decides again
under the invoice's lock and counts what it sent on the invoice, with an audit event, so the
periodic job that calls it (periodic.py) may run as often as it likes.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation

from certification.billing import pricing
from certification.billing.formatting import format_amount, format_date, format_iban
from certification.billing.models import Invoice
from certification.billing.queries import with_payments
from certification.billing.tasks import billing_url, invoice_recipients, pdf_attachments
from certification.core.audit import record_event
from certification.core.emails import send_templated_email

logger = logging.getLogger(__name__)


def next_reminder_on(invoice: Invoice) -> date | None:
    """When the invoice's next reminder is due; None when it has had them all.

    Counted from the last one sent, so that a job that did not run for a while sends one
    reminder, not a burst.
    """
    if invoice.reminders_sent >= settings.INVOICE_REMINDER_MAX:
        return None
    interval = timedelta(days=settings.INVOICE_REMINDER_INTERVAL_DAYS)
    scheduled = (
        invoice.due_on
        + timedelta(days=settings.INVOICE_REMINDER_FIRST_DAYS)
        + interval * invoice.reminders_sent
    )
    if invoice.last_reminder_on is not None:
        return max(scheduled, invoice.last_reminder_on + interval)
    return scheduled


def is_reminder_due(invoice: Invoice, today: date) -> bool:
    due = next_reminder_on(invoice)
    return invoice.status == Invoice.Status.OPEN and due is not None and due <= today


def send_reminder(invoice: Invoice, *, today: date) -> bool:
    """Send the invoice's next reminder if it is due today; False if not (or sent already)."""
    with transaction.atomic():
        invoice = (
            with_payments(Invoice.objects.select_for_update(of=("self",)))
            .select_related("organisation")
            .get(pk=invoice.pk)
        )
        if not is_reminder_due(invoice, today):
            return False
        recipients = invoice_recipients(invoice)
        if not recipients:
            logger.warning("Invoice %s is overdue and has nobody to remind.", invoice.number)
            return False
        invoice.reminders_sent += 1
        invoice.last_reminder_on = today
        invoice.save(update_fields=["reminders_sent", "last_reminder_on"])
        amount_due = pricing.money(invoice.amount_due)
        seller = invoice.seller or {}
        with translation.override(invoice.language):
            context = {
                "buyer_name": invoice.buyer.get("name") or invoice.organisation.legal_name,
                "seller_name": seller.get("name") or settings.SELLER_NAME,
                "number": invoice.number,
                "amount_due": format_amount(amount_due, invoice.currency),
                "total": format_amount(invoice.total_amount, invoice.currency),
                "partly_paid": amount_due < invoice.total_amount,
                "issued_on": format_date(invoice.issued_on),
                "due_on": format_date(invoice.due_on),
                "days_overdue": (today - invoice.due_on).days,
                "iban": format_iban(seller.get("iban") or settings.BANK_IBAN),
                "bic": seller.get("bic", ""),
                "reference": invoice.reference,
                "billing_url": billing_url(invoice),
            }
        send_templated_email(
            "invoice_reminder",
            to=recipients,
            context=context,
            language=invoice.language,
            reply_to=[settings.SELLER_EMAIL],
            attachments=pdf_attachments(invoice),
        )
        record_event(
            "billing.invoice_reminder_sent",
            actor=None,
            target=invoice,
            data={
                "reminder": invoice.reminders_sent,
                "amount_due": str(amount_due),
                "to": recipients,
            },
        )
    return True
