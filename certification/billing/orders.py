"""Orders of credits, and the credits they grant.

Credits for an order are granted once: under the billing account's lock, guarded by the
order's state, and backed by a database constraint (one purchase entry per order). A card
order is granted only by Stripe's verified webhook (stripe_payments.py); an invoiced order
when its invoice is paid, or at once for an organisation with an allowance.

`create_order` checks who may buy. `grant_credits`, `mark_order_paid` and `reverse_order`
are steps of other services (a payment recorded, a credit note, Stripe's webhook), which
check who may do those.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.accounts.models import User
from certification.billing import pricing
from certification.billing.ledger import CreditError, balance, lock_account
from certification.billing.models import BillingAccount, CreditEntry, Order
from certification.billing.rules import require_unless_platform
from certification.core.audit import record_event
from certification.organisations.models import Organisation


def billing_account(organisation: Organisation) -> BillingAccount:
    account, _created = BillingAccount.objects.get_or_create(organisation=organisation)
    return account


def check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= settings.CREDITS_PER_ORDER_MAX:
        raise CreditError(
            _("An order buys between 1 and %(max)s credits.")
            % {"max": settings.CREDITS_PER_ORDER_MAX}
        )


def create_order(
    organisation: Organisation,
    *,
    quantity: int,
    method: str,
    by: User | None,
    period: date | None = None,
) -> Order:
    """A pending order priced on the server from the settings and the billing details.
    `by=None` is the platform's own month's batch (`period` is its month)."""
    require_unless_platform(by, "billing.buy", organisation)
    if method != Order.Method.BATCH:
        # A month's batch invoices certificates already issued, however many there were.
        check_quantity(quantity)
    account = billing_account(organisation)
    if not account.has_billing_details:
        raise CreditError(_("Enter the billing details first."))
    quote = pricing.quote(
        quantity, buyer_country=str(account.billing_country), vat_number=account.vat_number
    )
    with transaction.atomic():
        order = Order.objects.create(
            organisation=organisation,
            method=method,
            buyer=account.buyer_snapshot(),
            created_by=by,
            period=period,
            **quote.order_fields(),
        )
        record_event(
            "billing.order_created",
            actor=by,
            target=order,
            data={"quantity": quantity, "method": method, "total": str(order.total_amount)},
        )
    return order


def grant_credits(order: Order, *, by: User | None = None) -> CreditEntry | None:
    """Add the order's credits to the ledger, once. Returns None when already granted."""
    with transaction.atomic():
        lock_account(order.organisation)
        if order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).exists():
            return None
        entry = CreditEntry.objects.create(
            organisation=order.organisation,
            kind=CreditEntry.Kind.PURCHASE,
            amount=order.quantity,
            order=order,
            reason=_("Order of %(count)s credits") % {"count": order.quantity},
            created_by=by,
        )
        record_event(
            "billing.credits_granted", actor=by, target=order, data={"credits": order.quantity}
        )
    return entry


def mark_order_paid(order: Order, *, by: User | None = None) -> bool:
    """Paid, with its credits granted. False (and nothing changes) if it already was."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == Order.Status.PAID:
            return False
        if order.status not in (Order.Status.PENDING, Order.Status.FAILED):
            raise CreditError(_("This order cannot be paid any more."))
        order.status = Order.Status.PAID
        order.paid_at = timezone.now()
        order.save(update_fields=["status", "paid_at"])
        grant_credits(order, by=by)
        record_event("billing.order_paid", actor=by, target=order)
    return True


def reverse_order(
    order: Order, *, status: str, reason: str, by: User | None = None, flag: bool = True
) -> Order:
    """A refund, a dispute or a cancellation: take back the order's credits that are not
    spent yet; what is already spent becomes a debt the treasurer sees (flagged, as is every
    refund or dispute). Done once per order."""
    with transaction.atomic():
        lock_account(order.organisation)
        order = Order.objects.select_for_update().get(pk=order.pk)
        reversed_already = order.status in (
            Order.Status.REFUNDED,
            Order.Status.DISPUTED,
            Order.Status.CANCELLED,
        )
        order.flag_reason = reason[:300]
        order.status = status
        granted = order.credit_entries.filter(kind=CreditEntry.Kind.PURCHASE).exists()
        if granted and not reversed_already:
            available = max(balance(order.organisation), 0)
            taken = min(order.quantity, available)
            order.credits_reversed = taken
            order.debt_credits = order.quantity - taken
            if taken:
                CreditEntry.objects.create(
                    organisation=order.organisation,
                    kind=CreditEntry.Kind.REVERSAL,
                    amount=-taken,
                    order=order,
                    reason=reason[:300],
                    created_by=by,
                )
        order.flagged = order.flagged or flag or order.debt_credits > 0
        order.save(
            update_fields=["flagged", "flag_reason", "status", "credits_reversed", "debt_credits"]
        )
        record_event(
            "billing.order_reversed",
            actor=by,
            target=order,
            data={
                "status": status,
                "reason": reason[:300],
                "credits_reversed": order.credits_reversed,
                "debt_credits": order.debt_credits,
            },
        )
    return order
