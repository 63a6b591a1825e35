"""Periodic billing jobs: each finds what is due and hands it to the service that does it.

- reminders of overdue invoices (reminders.send_reminder);
- the monthly invoice of certificates issued beyond credits (invoicing.issue_monthly_invoice);
- invoice documents still missing a while after they were issued (tasks.deliver_invoice).

The services decide again under their locks and record what they did on the rows they touch
(an invoice's reminder count, one batch order per organisation and month), so the jobs are
safe to run every few minutes.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from certification.billing import invoicing, reminders, tasks
from certification.billing.invoicing import InvoiceError
from certification.billing.ledger import CreditError
from certification.billing.models import Invoice, Order
from certification.billing.queries import first_of_month
from certification.core.periodic import periodic_job
from certification.organisations.models import Organisation

logger = logging.getLogger(__name__)
# An invoice without its PDF this long after it was issued is sent again, so many a run.
MISSING_DOCUMENT_MINUTES = 10
MISSING_DOCUMENTS_PER_RUN = 50


@periodic_job("invoice_reminders")
def send_invoice_reminders(now: datetime) -> int:
    """Remind the buyers of overdue open invoices; returns how many reminders went out."""
    today = timezone.localdate(now)
    if settings.INVOICE_REMINDER_MAX <= 0:
        return 0
    candidates = Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE,
        status=Invoice.Status.OPEN,
        reminders_sent__lt=settings.INVOICE_REMINDER_MAX,
        due_on__lte=today - timedelta(days=settings.INVOICE_REMINDER_FIRST_DAYS),
    ).only("pk", "due_on", "reminders_sent", "last_reminder_on", "status")
    sent = 0
    for invoice in candidates:
        if reminders.is_reminder_due(invoice, today):
            sent += reminders.send_reminder(invoice, today=today)
    return sent


@periodic_job("monthly_batch_invoices")
def invoice_monthly_batches(now: datetime) -> int:
    """On the 1st (or the first run after it), invoice every organisation that ended the
    previous month below zero. Returns how many invoices were issued."""
    today = timezone.localdate(now)
    period = first_of_month(today, 1)
    month_end = timezone.make_aware(datetime.combine(today.replace(day=1), datetime.min.time()))
    already = Order.objects.filter(
        organisation=OuterRef("pk"), method=Order.Method.BATCH, period=period
    )
    owing = (
        Organisation.objects.annotate(
            balance_now=Coalesce(Sum("credit_entries__amount"), 0),
            balance_then=Coalesce(
                Sum("credit_entries__amount", filter=Q(credit_entries__created_at__lt=month_end)),
                0,
            ),
        )
        .filter(balance_now__lt=0, balance_then__lt=0)
        .exclude(Exists(already))
        .order_by("pk")
    )
    issued = 0
    for organisation in owing:
        try:
            invoice = invoicing.issue_monthly_invoice(organisation, period=period, today=today)
        except (CreditError, InvoiceError, DatabaseError) as error:
            # The next run tries again; the others are invoiced meanwhile.
            logger.error("The monthly invoice of %s failed: %s", organisation.slug, error)
            continue
        issued += invoice is not None
    return issued


@periodic_job("invoice_documents")
def deliver_missing_invoice_documents(now: datetime) -> int:
    """Invoices whose PDF is still missing a while after they were issued (a worker lost, a
    rendering that failed): render and send them again. The task does each step once."""
    stuck = Invoice.objects.filter(
        pdf="", created_at__lt=now - timedelta(minutes=MISSING_DOCUMENT_MINUTES)
    ).values_list("pk", flat=True)[:MISSING_DOCUMENTS_PER_RUN]
    for invoice_id in stuck:
        tasks.deliver_invoice.enqueue(invoice_id)
    return len(stuck)
