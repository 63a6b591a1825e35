"""Reading invoices, payments and revenue for the treasurer's pages, each in a fixed number
of queries however many rows there are. What the organisation's pages read too is in
billing/queries.py."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from certification.billing import pricing, queries
from certification.billing.models import Invoice, Order, Payment
from certification.billing.queries import MONEY, ZERO, first_of_month, with_payments
from certification.organisations.models import Organisation

INVOICES_PER_PAGE = 50
REVENUE_MONTHS = 12
LOWEST_BALANCES = 10
FLAGGED_ORDERS = 20
REVENUE_CURRENCY = "EUR"


def invoices_with_payments() -> QuerySet[Invoice]:
    """Invoices (not credit notes) with what was paid and what is due, their organisation
    and their credit notes, newest first, in two queries."""
    return (
        with_payments(Invoice.objects.filter(kind=Invoice.Kind.INVOICE))
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "credit_notes",
                queryset=Invoice.objects.only("pk", "public_id", "number", "corrects_id"),
            )
        )
        .order_by("-year", "-sequence")
    )


def find_invoices(*, show: str, query: str, today: date) -> QuerySet[Invoice]:
    """The invoices list: `show` is all, open, overdue, paid or credited."""
    invoices = invoices_with_payments()
    if show == "open":
        invoices = invoices.filter(status=Invoice.Status.OPEN)
    elif show == "overdue":
        invoices = invoices.filter(status=Invoice.Status.OPEN, due_on__lt=today)
    elif show == "paid":
        invoices = invoices.filter(status=Invoice.Status.PAID)
    elif show == "credited":
        invoices = invoices.filter(status=Invoice.Status.CREDITED)
    if query:
        compact = "".join(query.split())
        credit_note = Invoice.objects.filter(corrects=OuterRef("pk"), number__icontains=query)
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(reference__icontains=compact)
            | Q(organisation__legal_name__icontains=query)
            | Q(buyer__name__icontains=query)
            | Exists(credit_note)
        )
    return invoices


def invoice_figures(today: date) -> dict[str, Any]:
    """How many invoices are open and overdue, what they add up to, and what is still due."""
    open_invoices = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN)
    overdue = Q(due_on__lt=today)
    totals = open_invoices.aggregate(
        open_count=Count("pk"),
        open_total=Coalesce(Sum("total_amount"), Value(ZERO), output_field=MONEY),
        overdue_count=Count("pk", filter=overdue),
        overdue_total=Coalesce(
            Sum("total_amount", filter=overdue), Value(ZERO), output_field=MONEY
        ),
    )
    paid = Payment.objects.filter(
        invoice__kind=Invoice.Kind.INVOICE, invoice__status=Invoice.Status.OPEN
    ).aggregate(
        open_paid=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
        overdue_paid=Coalesce(
            Sum("amount", filter=Q(invoice__due_on__lt=today)), Value(ZERO), output_field=MONEY
        ),
    )
    return {
        "open_count": totals["open_count"],
        "open_due": pricing.money(totals["open_total"] - paid["open_paid"]),
        "overdue_count": totals["overdue_count"],
        "overdue_due": pricing.money(totals["overdue_total"] - paid["overdue_paid"]),
    }


# --- Revenue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    month: date
    total: Decimal
    x: int
    y: int
    width: int
    height: int

    @property
    def center(self) -> int:
        return self.x + self.width // 2


@dataclass(frozen=True)
class RevenueChart:
    """Money received per month, with the geometry of an SVG bar chart drawn on the server."""

    bars: list[Bar]
    maximum: Decimal
    total: Decimal
    currency: str
    width: int = 720
    height: int = 260
    top: int = 20
    bottom: int = 220  # the baseline; month names go below it
    left: int = 10

    @property
    def label_y(self) -> int:
        return self.bottom + 22

    @property
    def middle_y(self) -> int:
        return (self.top + self.bottom) // 2

    @property
    def half(self) -> Decimal:
        return pricing.money(self.maximum / 2)


def revenue_by_month(today: date, months: int = REVENUE_MONTHS) -> RevenueChart:
    """Payments received in each of the last `months` months (this one included), summed in
    the database."""
    start = first_of_month(today, months - 1)
    rows = (
        Payment.objects.filter(
            received_on__gte=start, received_on__lte=today, currency=REVENUE_CURRENCY
        )
        .annotate(month=TruncMonth("received_on"))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount"))
    )
    totals = {row["month"]: pricing.money(row["total"]) for row in rows}
    month_list = [first_of_month(today, back) for back in range(months - 1, -1, -1)]
    maximum = max([totals.get(month, ZERO) for month in month_list] + [ZERO])
    chart = RevenueChart(bars=[], maximum=maximum, total=ZERO, currency=REVENUE_CURRENCY)
    slot = (chart.width - 2 * chart.left) // months
    area = chart.bottom - chart.top
    bars = []
    for index, month in enumerate(month_list):
        total = totals.get(month, ZERO)
        height = int(area * total / maximum) if maximum > 0 and total > 0 else 0
        bars.append(
            Bar(
                month=month,
                total=total,
                x=chart.left + index * slot + slot // 8,
                y=chart.bottom - height,
                width=slot - slot // 4,
                height=height,
            )
        )
    return RevenueChart(
        bars=bars,
        maximum=maximum,
        total=pricing.money(sum((bar.total for bar in bars), ZERO)),
        currency=REVENUE_CURRENCY,
    )


# --- What needs the treasurer's attention -------------------------------------------------


def flagged_orders() -> QuerySet[Order]:
    """Orders refunded or disputed after their credits were granted, newest first."""
    return (
        Order.objects.filter(flagged=True)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def lowest_balances(limit: int = LOWEST_BALANCES) -> list[Organisation]:
    organisations = queries.organisations_with_credits()
    # By F(): the type checker knows the model's fields, not the annotations.
    return list(organisations.order_by(F("credit_balance"), "legal_name", "pk")[:limit])
