"""The treasurer's overview: revenue per month as a chart and a table, open and overdue
invoices, orders flagged by refunds and disputes, the lowest balances."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.accounts.models import User
from certification.billing import invoicing, ledger
from certification.billing.models import Order
from certification.billing.tests.factories import invoice_for, order_for
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TREASURY = "/treasury/"


def _pay(organisation: Organisation, amount: str, received_on: date, by: User) -> None:
    invoice = invoice_for(organisation, quantity=5)
    invoicing.record_payment(invoice, amount=Decimal(amount), received_on=received_on, by=by)


def test_revenue_is_summed_per_month_for_the_last_12_months(
    client_for, tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    _pay(alice_org, "100.00", date(2026, 3, 10), tom)
    _pay(carol_org, "25.00", date(2026, 5, 2), tom)
    _pay(alice_org, "10.50", date(2026, 5, 31), tom)
    _pay(carol_org, "999.00", date(2025, 5, 31), tom)  # thirteen months ago: not shown

    with time_machine.travel(date(2026, 5, 31), tick=False):
        response = client_for(tom).get(TREASURY)

    chart = response.context["chart"]
    assert len(chart.bars) == 12
    totals = {bar.month: bar.total for bar in chart.bars if bar.total}
    assert totals == {date(2026, 3, 1): Decimal("100.00"), date(2026, 5, 1): Decimal("35.50")}
    assert (chart.bars[0].month, chart.bars[-1].month) == (date(2025, 6, 1), date(2026, 5, 1))
    assert chart.total == Decimal("135.50")
    heights = {bar.month: bar.height for bar in chart.bars if bar.total}
    assert heights == {date(2026, 3, 1): 200, date(2026, 5, 1): 71}


def test_the_chart_is_an_accessible_svg_with_the_same_figures_in_a_table(
    client_for, tom: User, alice_org: Organisation
) -> None:
    _pay(alice_org, "100.00", timezone.localdate(), tom)

    content = client_for(tom).get(TREASURY).content.decode()

    svg = re.search(r"<svg[^>]*>.*?</svg>", content, re.DOTALL)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-labelledby="revenue-chart-title revenue-chart-desc"' in svg.group(0)
    assert '<title id="revenue-chart-title">' in svg.group(0)
    assert svg.group(0).count('<rect class="chart-bar"') == 12
    assert 'height="200"' in svg.group(0)
    month = timezone.localdate().strftime("%B %Y")
    assert re.search(rf'<th scope="row">{month}</th><td class="number">100.00</td>', content)
    assert "<script" not in svg.group(0)


def test_it_counts_open_and_overdue_invoices_with_what_is_still_due(
    client_for, tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    today = timezone.localdate()
    invoice_for(alice_org)  # 60.00, due in 30 days
    overdue = invoicing.issue_invoice(order_for(carol_org), today=today - timedelta(days=40))
    invoicing.record_payment(overdue, amount=Decimal("25.00"), received_on=today, by=tom)
    paid = invoice_for(alice_org)
    invoicing.record_payment(paid, amount=Decimal("60.00"), received_on=today, by=tom)

    response = client_for(tom).get(TREASURY)

    assert response.context["figures"] == {
        "open_count": 2,
        "open_due": Decimal("95.00"),
        "overdue_count": 1,
        "overdue_due": Decimal("35.00"),
    }
    content = response.content.decode()
    assert 'href="/treasury/invoices/?status=open"' in content
    assert 'href="/treasury/invoices/?status=overdue"' in content
    assert "35.00 EUR still to pay" in content


def test_it_shows_orders_flagged_by_refunds_with_the_credits_owed(
    client_for, tom: User, alice_org: Organisation
) -> None:
    order = order_for(alice_org, method=Order.Method.CARD)
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.REFUNDED,
        flagged=True,
        flag_reason="Refunded in Stripe",
        credits_reversed=1,
        debt_credits=2,
    )

    response = client_for(tom).get(TREASURY)

    assert list(response.context["flagged_orders"]) == [order]
    content = response.content.decode()
    assert "Refunded in Stripe" in content
    assert '<td class="number amount-negative">2</td>' in content


def test_it_lists_the_lowest_balances_first(
    client_for, tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    ledger.set_allowance(alice_org, by=tom, allowance=5)
    ledger.adjust_credits(alice_org, by=tom, amount=-4, reason="Issued beyond credits")
    ledger.adjust_credits(carol_org, by=tom, amount=7, reason="Bought")

    response = client_for(tom).get(TREASURY)

    rows = [(org.slug, org.credit_balance) for org in response.context["lowest_balances"]]
    assert rows == [("geoskolan", -4), ("carto-lab", 7)]


def test_it_links_to_the_other_treasury_pages_and_exports(client_for, tom: User) -> None:
    content = client_for(tom).get(TREASURY).content.decode()

    for href in (
        "/treasury/invoices/",
        "/treasury/statements/",
        "/treasury/organisations/",
        "/treasury/exports/invoices.csv",
        "/treasury/exports/payments.csv",
        "/treasury/exports/ledger.csv",
    ):
        assert f'href="{href}' in content, href
    assert "No refunds or disputes." in content


def test_the_overview_runs_the_same_queries_for_3_or_30_invoices(
    client_for, tom: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    client = client_for(tom)
    today = timezone.localdate()

    def add_invoices(count: int) -> None:
        for number in range(count):
            organisation = OrganisationFactory()
            invoice = invoice_for(organisation)
            invoicing.record_payment(
                invoice, amount=Decimal("10.00"), received_on=today, reference=str(number), by=tom
            )
            Order.objects.filter(invoices=invoice).update(flagged=True, debt_credits=1)

    add_invoices(3)
    client.get(TREASURY)
    with CaptureQueriesContext(connection) as few:
        client.get(TREASURY)
    add_invoices(27)

    with django_assert_max_num_queries(len(few)):
        response = client.get(TREASURY)

    assert response.context["figures"]["open_count"] == 30
    assert len(response.context["flagged_orders"]) == 20
