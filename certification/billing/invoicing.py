"""Invoices and credit notes: issued once, numbered without gaps, never edited; the
payments that settle them; and the monthly invoice of certificates issued beyond credits.

A number is allocated when the invoice is issued, inside the issuing transaction, under the
lock of its year's `InvoiceSeries` row: two buyers (or a buyer and the monthly batch)
issuing at once get consecutive numbers, and a transaction that fails gives its number back
with everything else. The PDF (PDF/A-3 with its Factur-X XML) is rendered and emailed by a
task (tasks.py) after the commit.

Each service checks its rule (rules.py) for the person it is given as `by`: an owner or a
manager orders an invoice, the treasurer records payments (by hand or from a bank statement)
and issues credit notes. `by=None` is the platform itself: the monthly batch, demo data.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from certification.accounts.models import User
from certification.billing import orders, pricing, tasks
from certification.billing.formatting import creditor_reference
from certification.billing.ledger import lock_account
from certification.billing.models import (
    BankStatement,
    CreditEntry,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Order,
    Payment,
)
from certification.billing.queries import first_of_month
from certification.billing.rules import require_unless_platform
from certification.core.audit import record_event
from certification.organisations.models import Organisation

logger = logging.getLogger(__name__)


class InvoiceError(Exception):
    """An invoice that cannot be issued, cancelled or paid as asked; the message says why."""


def seller_snapshot() -> dict[str, str]:
    return {
        "name": settings.SELLER_NAME,
        "street": settings.SELLER_STREET,
        "postcode": settings.SELLER_POSTCODE,
        "city": settings.SELLER_CITY,
        "country": settings.SELLER_COUNTRY,
        "email": settings.SELLER_EMAIL,
        "vat_number": settings.SELLER_VAT_NUMBER if settings.SELLER_VAT_REGISTERED else "",
        "iban": settings.BANK_IBAN,
        "bic": settings.BANK_BIC,
        "bank": settings.BANK_NAME,
    }


def allocate_number(year: int) -> tuple[int, str]:
    """The next number of `year`'s series, under its row lock. Call inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are allocated inside the issuing transaction.")
    try:
        with transaction.atomic():
            InvoiceSeries.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another transaction created the row first: lock it below
    series = InvoiceSeries.objects.select_for_update().get(year=year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series.last_number, f"{settings.INVOICE_NUMBER_PREFIX}-{year}-{series.last_number:04d}"


def invoice_language(order: Order) -> str:
    """The language of the person who ordered, else the site's."""
    person = order.created_by
    return person.language if person is not None else settings.LANGUAGE_CODE


def _line_description(order: Order, codes: list[str]) -> str:
    if order.method == Order.Method.BATCH and order.period:
        text = ngettext(
            "%(count)s QGIS certificate issued in %(month)s beyond prepaid credits",
            "%(count)s QGIS certificates issued in %(month)s beyond prepaid credits",
            order.quantity,
        ) % {"count": order.quantity, "month": order.period.strftime("%Y-%m")}
        if codes:
            text += ": " + ", ".join(codes)
        return text
    return ngettext(
        "%(count)s QGIS certificate credit",
        "%(count)s QGIS certificate credits",
        order.quantity,
    ) % {"count": order.quantity}


def _reference_for(number: str) -> str:
    return creditor_reference(number.replace("-", "")[-21:])


def issue_invoice(
    order: Order,
    *,
    by: User | None = None,
    codes: list[str] | None = None,
    today: date | None = None,
) -> Invoice:
    """The order's invoice. Organisations with an allowance get the credits at once; the
    others when it is paid. Issued once per order."""
    require_unless_platform(by, "billing.buy", order.organisation)
    today = today or timezone.localdate()
    with transaction.atomic():
        # Locks in one order everywhere: the billing account, the order, the number series.
        account = lock_account(order.organisation)
        order = Order.objects.select_for_update().select_related("organisation").get(pk=order.pk)
        if order.method not in (Order.Method.INVOICE, Order.Method.BATCH):
            raise InvoiceError(_("Only an order paid by invoice gets an invoice."))
        if order.invoices.filter(kind=Invoice.Kind.INVOICE).exists():
            raise InvoiceError(_("This order already has its invoice."))
        sequence, number = allocate_number(today.year)
        language = invoice_language(order)
        with override(language):
            note = pricing.vat_note(order.vat_treatment)
            description = _line_description(order, codes or [])
        invoice = Invoice.objects.create(
            kind=Invoice.Kind.INVOICE,
            number=number,
            year=today.year,
            sequence=sequence,
            organisation=order.organisation,
            order=order,
            status=Invoice.Status.OPEN,
            issued_on=today,
            due_on=today + timedelta(days=settings.INVOICE_DUE_DAYS),
            seller=seller_snapshot(),
            buyer=order.buyer,
            currency=order.currency,
            net_amount=order.net_amount,
            vat_treatment=order.vat_treatment,
            vat_rate=order.vat_rate,
            vat_amount=order.vat_amount,
            total_amount=order.total_amount,
            reference=_reference_for(number),
            note=note,
            language=language,
            created_by=by,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            position=1,
            description=description,
            quantity=Decimal(order.quantity),
            unit_price=order.unit_price,
            net_amount=order.net_amount,
        )
        record_event(
            "billing.invoice_issued",
            actor=by,
            target=invoice,
            data={"number": number, "total": str(invoice.total_amount)},
        )
        if order.method == Order.Method.BATCH or (
            account.allowance > 0
            and credits_in_trust(order.organisation) + order.quantity <= account.allowance
        ):
            # Trusted (or already spent, for the month's batch): the credits come now and
            # the invoice is what is owed — as long as the credits given on unpaid invoices
            # stay within the allowance. Beyond it, they come when the invoice is paid.
            orders.grant_credits(order, by=by)
        _deliver_after_commit(invoice)
    return invoice


# An organisation asks for another invoice once it has paid one of these.
MAX_OPEN_INVOICE_ORDERS = 5


def check_open_invoices(organisation: Organisation) -> None:
    """Refuse a new invoice order while too many earlier ones are unpaid."""
    open_orders = Order.objects.filter(
        organisation=organisation, method=Order.Method.INVOICE, status=Order.Status.PENDING
    ).count()
    if open_orders >= MAX_OPEN_INVOICE_ORDERS:
        raise InvoiceError(
            _(
                "Your organisation has %(count)s unpaid invoices. Pay one of them before "
                "ordering another, or write to the treasurer."
            )
            % {"count": open_orders}
        )


def credits_in_trust(organisation: Organisation) -> int:
    """Credits already given on invoices that are not paid yet."""
    granted = CreditEntry.objects.filter(
        organisation=organisation,
        kind=CreditEntry.Kind.PURCHASE,
        order__method=Order.Method.INVOICE,
        order__status=Order.Status.PENDING,
    ).aggregate(total=Sum("amount"))["total"]
    return granted or 0


def issue_credit_note(invoice: Invoice, *, by: User | None, reason: str) -> Invoice:
    """Cancel an open invoice with a credit note of the same amounts (its own number)."""
    require_unless_platform(by, "treasury.manage", invoice.organisation)
    if not reason.strip():
        raise InvoiceError(_("Give the reason for the credit note."))
    today = timezone.localdate()
    with transaction.atomic():
        lock_account(invoice.organisation)
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.OPEN:
            raise InvoiceError(_("Only an open invoice can be cancelled by a credit note."))
        if invoice.payments.exists():
            raise InvoiceError(
                _("This invoice has payments recorded: refund them before cancelling it.")
            )
        sequence, number = allocate_number(today.year)
        note = Invoice.objects.create(
            kind=Invoice.Kind.CREDIT_NOTE,
            number=number,
            year=today.year,
            sequence=sequence,
            organisation=invoice.organisation,
            order=invoice.order,
            corrects=invoice,
            status=Invoice.Status.SETTLED,
            issued_on=today,
            due_on=today,
            seller=seller_snapshot(),
            buyer=invoice.buyer,
            currency=invoice.currency,
            net_amount=-invoice.net_amount,
            vat_treatment=invoice.vat_treatment,
            vat_rate=invoice.vat_rate,
            vat_amount=-invoice.vat_amount,
            total_amount=-invoice.total_amount,
            reference=_reference_for(number),
            note=reason.strip(),
            language=invoice.language,
            created_by=by,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=note,
                position=line.position,
                description=line.description,
                quantity=-line.quantity,
                unit_price=line.unit_price,
                net_amount=-line.net_amount,
            )
            for line in invoice.lines.all()
        )
        invoice.status = Invoice.Status.CREDITED
        invoice.save(update_fields=["status"])
        order = invoice.order
        if order is not None and order.status == Order.Status.PENDING:
            if order.credit_entries.exists() and order.method != Order.Method.BATCH:
                # Credits given in trust on an invoice that is now cancelled come back. (A
                # month's batch paid for certificates already issued: cancelling it waives
                # the charge, and the credits stay.)
                orders.reverse_order(
                    order, status=Order.Status.CANCELLED, reason=reason.strip(), by=by, flag=False
                )
            else:
                order.status = Order.Status.CANCELLED
                order.save(update_fields=["status"])
        record_event(
            "billing.credit_note_issued",
            actor=by,
            target=note,
            data={"number": number, "corrects": invoice.number, "reason": reason.strip()},
        )
        _deliver_after_commit(note)
    return note


def amount_paid(invoice: Invoice) -> Decimal:
    total = invoice.payments.aggregate(total=Sum("amount"))["total"]
    return pricing.money(total or 0)


def record_payment(
    invoice: Invoice,
    *,
    amount: Decimal,
    received_on: date,
    reference: str = "",
    by: User | None = None,
    statement: BankStatement | None = None,
) -> Payment:
    """Money received for an invoice. Once the payments reach its total the invoice is paid
    and its order's credits are granted (if they were not already). Partial payments leave
    it open; an over-payment is recorded as received and shown as such."""
    require_unless_platform(by, "treasury.manage", invoice.organisation)
    amount = pricing.money(amount)
    if amount <= 0:
        raise InvoiceError(_("A payment is a positive amount."))
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE or invoice.status == Invoice.Status.CREDITED:
            raise InvoiceError(_("This invoice is cancelled: it cannot be paid."))
        payment = Payment.objects.create(
            organisation_id=invoice.organisation_id,
            order=invoice.order,
            invoice=invoice,
            method=Payment.Method.TRANSFER,
            amount=amount,
            currency=invoice.currency,
            received_on=received_on,
            reference=reference[:140],
            statement=statement,
            recorded_by=by,
        )
        record_event(
            "billing.payment_recorded",
            actor=by,
            target=invoice,
            data={"amount": str(amount), "reference": reference[:140]},
        )
        if invoice.status == Invoice.Status.OPEN and amount_paid(invoice) >= invoice.total_amount:
            invoice.status = Invoice.Status.PAID
            invoice.paid_on = received_on
            invoice.save(update_fields=["status", "paid_on"])
            if invoice.order is not None:
                orders.mark_order_paid(invoice.order, by=by)
            record_event("billing.invoice_paid", actor=by, target=invoice)
    return payment


def _deliver_after_commit(invoice: Invoice) -> None:
    """Render, store and email the document once the transaction has committed."""
    invoice_id = invoice.pk
    transaction.on_commit(lambda: tasks.deliver_invoice.enqueue(invoice_id))


# --- The monthly batch --------------------------------------------------------------------


def _balances(organisation: Organisation, month_end: datetime) -> tuple[int, int]:
    """The balance now, and at the end of the month that ends at `month_end`."""
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


def issue_monthly_invoice(
    organisation: Organisation, *, period: date, today: date
) -> Invoice | None:
    """The invoice for the certificates `organisation` issued beyond its credits up to the
    end of `period`'s month, once; None when there is nothing to invoice. The platform's
    own work, asked by the periodic job (periodic.py) on the first days of a month."""
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
        if not account.has_billing_details and not account.fill_from_profile():
            logger.warning(
                "The monthly invoice of %s waits for its billing details.", organisation.slug
            )
            return None
        order = orders.create_order(
            organisation, quantity=quantity, method=Order.Method.BATCH, by=None, period=period
        )
        codes = certificates_to_invoice(organisation, quantity, month_end)
        return issue_invoice(order, codes=codes, today=today)
