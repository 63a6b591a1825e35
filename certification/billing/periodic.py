"""Periodic billing work: reminders for overdue invoices, and the monthly batch invoice.

Both jobs are safe to run every few minutes: what they did is recorded on the rows they
touch (an invoice's reminder count, one batch order per organisation and month), and each
change is made under a lock after checking again.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation

from certification.billing import invoicing, orders, pricing
from certification.billing.invoicing import InvoiceError
from certification.billing.ledger import CreditError, lock_account
from certification.billing.models import BillingAccount, CreditEntry, Invoice, Order
from certification.billing.treasury_queries import first_of_month, with_payments
from certification.core.audit import record_event
from certification.core.emails import send_templated_email
from certification.core.periodic import periodic_job
from certification.organisations.models import Organisation

logger = logging.getLogger(__name__)
# An invoice without its PDF this long after it was issued is sent again, so many a run.
MISSING_DOCUMENT_MINUTES = 10
MISSING_DOCUMENTS_PER_RUN = 50


# --- Reminders ----------------------------------------------------------------------------


def next_reminder_on(invoice: Invoice) -> date | None:
    """When the invoice's next reminder is due; None when it has had them all.

    The first comes INVOICE_REMINDER_FIRST_DAYS after the due date, then one every
    INVOICE_REMINDER_INTERVAL_DAYS — counted from the last one sent, so that a job that
    did not run for a while sends one reminder, not a burst.
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


def send_reminder(invoice: Invoice, *, today: date) -> bool:
    """Send the invoice's next reminder if it is due today; False if not (or sent already)."""
    # Imported here: documents loads WeasyPrint, which the periodic runner rarely needs.
    from certification.billing.documents import format_amount, format_iban, pdf_filename
    from certification.billing.tasks import billing_url, invoice_recipients

    with transaction.atomic():
        invoice = (
            with_payments(Invoice.objects.select_for_update(of=("self",)))
            .select_related("organisation")
            .get(pk=invoice.pk)
        )
        due = next_reminder_on(invoice)
        if invoice.status != Invoice.Status.OPEN or due is None or due > today:
            return False
        recipients = invoice_recipients(invoice)
        if not recipients:
            logger.warning("Invoice %s is overdue and has nobody to remind.", invoice.number)
            return False
        invoice.reminders_sent += 1
        invoice.last_reminder_on = today
        invoice.save(update_fields=["reminders_sent", "last_reminder_on"])
        amount_due = pricing.money(invoice.amount_due)  # type: ignore[attr-defined]
        seller = invoice.seller or {}
        with translation.override(invoice.language):
            context = {
                "buyer_name": invoice.buyer.get("name") or invoice.organisation.legal_name,
                "seller_name": seller.get("name") or settings.SELLER_NAME,
                "number": invoice.number,
                "amount_due": format_amount(amount_due, invoice.currency),
                "total": format_amount(invoice.total_amount, invoice.currency),
                "partly_paid": amount_due < invoice.total_amount,
                "issued_on": formats.date_format(invoice.issued_on, "DATE_FORMAT"),
                "due_on": formats.date_format(invoice.due_on, "DATE_FORMAT"),
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
            attachments=(
                [
                    {
                        "path": invoice.pdf.name,
                        "filename": pdf_filename(invoice),
                        "mimetype": "application/pdf",
                    }
                ]
                if invoice.pdf
                else []
            ),
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
        due = next_reminder_on(invoice)
        if due is not None and due <= today:
            sent += send_reminder(invoice, today=today)
    return sent


# --- The monthly batch --------------------------------------------------------------------


def fill_billing_details(account: BillingAccount) -> bool:
    """Fill an account's empty billing details from its organisation's profile, so that the
    monthly invoice can be issued. False when the profile has no usable address."""
    organisation = account.organisation
    lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
    if len(lines) == 1 and "," in lines[0]:
        lines = [part.strip() for part in lines[0].rsplit(",", 1)]
    if len(lines) < 2 or not organisation.country:
        return False
    # The last line is kept whole ("111 22 Stockholm", "London SW1A 1AA"): splitting it
    # into postcode and city guesses wrongly in too many countries.
    account.billing_name = account.billing_name or organisation.legal_name
    account.billing_street = account.billing_street or ", ".join(lines[:-1])[:200]
    account.billing_city = account.billing_city or lines[-1][:120]
    account.billing_country = account.billing_country or organisation.country
    account.vat_number = account.vat_number or organisation.vat_number
    account.billing_email = account.billing_email or organisation.contact_email
    account.save(
        update_fields=[
            "billing_name",
            "billing_street",
            "billing_city",
            "billing_country",
            "vat_number",
            "billing_email",
        ]
    )
    return True


def _balances(organisation: Organisation, month_end: datetime) -> tuple[int, int]:
    totals = CreditEntry.objects.filter(organisation=organisation).aggregate(
        now=Coalesce(Sum("amount"), 0),
        then=Coalesce(Sum("amount", filter=Q(created_at__lt=month_end)), 0),
    )
    return totals["now"], totals["then"]


def certificates_to_invoice(
    organisation: Organisation, quantity: int, before: datetime
) -> list[str]:
    """The codes of the last `quantity` certificates issued before `before` (and not
    refunded since), oldest first."""
    refunded = CreditEntry.objects.filter(
        organisation=organisation, kind=CreditEntry.Kind.REFUND
    ).values("certificate_code")
    codes = (
        CreditEntry.objects.filter(
            organisation=organisation, kind=CreditEntry.Kind.ISSUANCE, created_at__lt=before
        )
        .exclude(certificate_code__in=refunded)
        .order_by("-created_at", "-pk")
        .values_list("certificate_code", flat=True)[:quantity]
    )
    return [code for code in reversed(list(codes)) if code]


def invoice_batch(organisation: Organisation, *, period: date, today: date) -> Invoice | None:
    """The invoice for the certificates `organisation` issued beyond its credits up to the
    end of `period`'s month, once; None when there is nothing to invoice."""
    month_end = timezone.make_aware(
        datetime.combine(first_of_month(period, -1), datetime.min.time())
    )
    with transaction.atomic():
        account = lock_account(organisation)
        if Order.objects.filter(
            organisation=organisation, method=Order.Method.BATCH, period=period
        ).exists():
            return None
        now_balance, period_balance = _balances(organisation, month_end)
        # What was owed at the end of the month and is still owed now: credits bought since
        # then have already covered the rest.
        quantity = min(-period_balance, -now_balance)
        if quantity <= 0:
            return None
        if not account.has_billing_details and not fill_billing_details(account):
            logger.warning(
                "The monthly invoice of %s waits for its billing details.", organisation.slug
            )
            return None
        order = orders.create_order(
            organisation, quantity=quantity, method=Order.Method.BATCH, by=None, period=period
        )
        codes = certificates_to_invoice(organisation, quantity, month_end)
        return invoicing.issue_invoice(order, codes=codes, today=today)


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
            issued += invoice_batch(organisation, period=period, today=today) is not None
        except (CreditError, InvoiceError, DatabaseError) as error:
            # The next run tries again; the others are invoiced meanwhile.
            logger.error("The monthly invoice of %s failed: %s", organisation.slug, error)
    return issued


@periodic_job("invoice_documents")
def deliver_missing_invoice_documents(now: datetime) -> int:
    """Invoices whose PDF is still missing a while after they were issued (a worker lost, a
    rendering that failed): render and send them again. The task does each step once."""
    from certification.billing.tasks import deliver_invoice

    stuck = Invoice.objects.filter(
        pdf="", created_at__lt=now - timedelta(minutes=MISSING_DOCUMENT_MINUTES)
    ).values_list("pk", flat=True)[:MISSING_DOCUMENTS_PER_RUN]
    for invoice_id in stuck:
        deliver_invoice.enqueue(invoice_id)
    return len(stuck)
