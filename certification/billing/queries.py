"""Reading the ledger: balances, standings and pages, shared by the treasurer's pages and
the organisation's own."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from certification.billing import ledger
from certification.billing.models import CreditEntry
from certification.organisations.models import Organisation

ORGANISATIONS_PER_PAGE = 50
ENTRIES_PER_PAGE = 25


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


def page(
    request: HttpRequest, queryset: QuerySet[Any], per_page: int, *, parameter: str = "page"
) -> Page:
    """One page of `queryset`, numbered by the query parameter `parameter`."""
    result = Paginator(queryset, per_page).get_page(request.GET.get(parameter))
    result.parameter = parameter  # type: ignore[attr-defined]
    return result


def standing(organisation: Organisation) -> dict[str, int]:
    balance = ledger.balance(organisation)
    spendable = ledger.spendable(organisation)
    return {"balance": balance, "allowance": spendable - balance, "spendable": spendable}
