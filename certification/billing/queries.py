"""Reading the ledger and the invoices, shared by the organisation's pages, the treasurer's
(treasury/queries.py) and the periodic jobs: balances, standings, pages, what an invoice has
been paid."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from certification.billing import ledger
from certification.billing.models import CreditEntry, Invoice, Payment
from certification.organisations.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

ORGANISATIONS_PER_PAGE = 50
ENTRIES_PER_PAGE = 25

MONEY = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


class PaymentSums(TypedDict):
    amount_paid: Decimal
    amount_due: Decimal
    amount_excess: Decimal


if TYPE_CHECKING:
    # An invoice read through `with_payments`.
    InvoiceWithPayments = WithAnnotations[Invoice, PaymentSums]


def first_of_month(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def organisations_with_credits() -> QuerySet[Organisation]:
    """Organisations with `credit_balance` and `credit_allowance`, in one query."""
    return Organisation.objects.annotate(
        credit_balance=Coalesce(Sum("credit_entries__amount"), 0),
        credit_allowance=Coalesce(F("billing_account__allowance"), 0),
    ).order_by("legal_name", "pk")


def ledger_entries(organisation: Organisation) -> QuerySet[CreditEntry]:
    """An organisation's entries, newest first, each with the balance after it."""
    return (
        CreditEntry.objects.filter(organisation=organisation)
        .select_related("created_by")
        .annotate(
            balance_after=Window(Sum("amount"), order_by=[F("created_at").asc(), F("pk").asc()])
        )
        .order_by("-created_at", "-pk")
    )


def with_payments(invoices: QuerySet[Invoice]) -> "QuerySet[InvoiceWithPayments]":
    """`invoices` with `amount_paid`, `amount_due` and `amount_excess` (what was paid
    beyond the total; negative while some is due), summed in the same query."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return invoices.annotate(
        amount_paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)
    ).annotate(
        amount_due=ExpressionWrapper(F("total_amount") - F("amount_paid"), output_field=MONEY),
        amount_excess=ExpressionWrapper(F("amount_paid") - F("total_amount"), output_field=MONEY),
    )


def page(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int, *, parameter: str = "page"
) -> Page[Any]:
    """One page of `queryset`, numbered by the query parameter `parameter`."""
    result = Paginator(queryset, per_page).get_page(request.GET.get(parameter))
    # The pagination template builds its links with the page's own parameter.
    result.parameter = parameter  # type: ignore[attr-defined]  # a Page has no such field
    return result


def standing(organisation: Organisation) -> dict[str, int]:
    balance = ledger.balance(organisation)
    spendable = ledger.spendable(organisation)
    return {"balance": balance, "allowance": spendable - balance, "spendable": spendable}
