"""The treasurer's credit pages: every organisation's credits, one organisation's ledger and
changes."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.accounts.tests.factories import UserFactory
from certification.billing import ledger
from certification.billing.models import BillingAccount, CreditEntry
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TREASURY = "/treasury/"
ORGANISATIONS = "/treasury/organisations/"
ACCOUNT = "/treasury/organisations/geoskolan/"
ADJUST = ACCOUNT + "adjust/"
ALLOWANCE = ACCOUNT + "allowance/"


# --- Who ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "rita", "ugo", "paula"])
def test_only_the_treasurer_opens_the_treasury(
    request: pytest.FixtureRequest, client_for, alice_org: Organisation, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(TREASURY).status_code == 403
    assert client.get(ORGANISATIONS).status_code == 403
    assert client.get(ACCOUNT).status_code == 403
    assert client.post(ADJUST, {"amount": "5", "reason": "Gift"}).status_code == 403
    assert client.post(ALLOWANCE, {"allowance": "5"}).status_code == 403
    assert not CreditEntry.objects.exists()
    assert not BillingAccount.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org: Organisation) -> None:
    with assert_unchanged(alice_org, CreditEntry, BillingAccount):
        for response in (
            client.get(TREASURY),
            client.get(ORGANISATIONS),
            client.get(ACCOUNT),
            client.post(ADJUST, {"amount": "5", "reason": "Gift"}),
            client.post(ALLOWANCE, {"allowance": "5"}),
        ):
            assert response["Location"].startswith("/accounts/login/")


def test_a_treasurer_without_two_factor_authentication_sets_it_up_first(
    client_for, alice_org: Organisation
) -> None:
    treasurer = UserFactory()
    grant_role(treasurer, GlobalRole.TREASURER, by=None, notify=False)

    response = client_for(treasurer).get(TREASURY)

    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_an_unknown_organisation_is_not_found(client_for, tom: User) -> None:
    assert client_for(tom).get("/treasury/organisations/nowhere/").status_code == 404


@pytest.mark.parametrize("path", [ADJUST, ALLOWANCE])
def test_changes_refuse_get(client_for, tom: User, alice_org: Organisation, path: str) -> None:
    with assert_unchanged(alice_org, CreditEntry, BillingAccount):
        assert client_for(tom).get(path).status_code == 405


# --- The list -----------------------------------------------------------------------------


def test_it_lists_organisations_with_balance_and_allowance(
    client_for, tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=12, reason="Purchase")
    ledger.adjust_credits(alice_org, by=tom, amount=-2, reason="Correction")
    ledger.set_allowance(carol_org, by=tom, allowance=4)

    response = client_for(tom).get(ORGANISATIONS)

    rows = {
        org.slug: (org.credit_balance, org.credit_allowance)
        for org in response.context["page"].object_list
    }
    assert rows == {"geoskolan": (10, 0), "carto-lab": (0, 4)}
    content = response.content.decode()
    assert f'href="{ACCOUNT}"' in content
    assert "Carto Lab Ltd" in content


def test_it_finds_organisations_by_name(
    client_for, tom: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    response = client_for(tom).get(ORGANISATIONS, {"q": "carto"})

    assert [org.slug for org in response.context["page"].object_list] == ["carto-lab"]


def test_the_list_runs_the_same_queries_for_2_or_20_organisations(
    client_for,
    tom: User,
    alice_org: Organisation,
    carol_org: Organisation,
    django_assert_max_num_queries,
) -> None:
    client = client_for(tom)
    client.get(ORGANISATIONS)
    with CaptureQueriesContext(connection) as few:
        client.get(ORGANISATIONS)
    for organisation in OrganisationFactory.create_batch(18):
        ledger.adjust_credits(organisation, by=tom, amount=3, reason="Purchase")
        ledger.adjust_credits(organisation, by=tom, amount=-1, reason="Correction")
        ledger.set_allowance(organisation, by=tom, allowance=2)

    with django_assert_max_num_queries(len(few)):
        response = client.get(ORGANISATIONS)

    assert len(response.context["page"].object_list) == 20
    assert {org.credit_balance for org in response.context["page"].object_list} >= {2}


# --- One organisation ---------------------------------------------------------------------


def test_the_ledger_shows_each_entry_with_the_balance_after_it(
    client_for, tom: User, alice_org: Organisation
) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=10, reason="Invoice 2026-001 paid")
    ledger.adjust_credits(alice_org, by=tom, amount=-4, reason="Refund to the organisation")
    ledger.set_allowance(alice_org, by=tom, allowance=5)

    response = client_for(tom).get(ACCOUNT)

    context = response.context
    assert (context["balance"], context["allowance"], context["spendable"]) == (6, 5, 11)
    entries = list(context["page"].object_list)
    assert [(e.amount, e.balance_after) for e in entries] == [(-4, 6), (10, 10)]
    content = response.content.decode()
    assert "Invoice 2026-001 paid" in content
    assert "Tom Treasurer" in content
    assert 'name="amount"' in content
    assert 'name="allowance" value="5"' in content


def test_the_ledger_is_paginated(client_for, tom: User, alice_org: Organisation) -> None:
    for number in range(30):
        ledger.adjust_credits(alice_org, by=tom, amount=1, reason=f"Purchase {number}")
    client = client_for(tom)

    first = client.get(ACCOUNT)
    second = client.get(ACCOUNT, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].object_list[0].balance_after == 30
    assert [e.balance_after for e in second.context["page"].object_list] == [5, 4, 3, 2, 1]
    assert 'href="?page=2"' in first.content.decode()


def test_the_treasurer_adds_credits_with_a_reason(
    client_for, tom: User, alice_org: Organisation
) -> None:
    response = client_for(tom).post(
        ADJUST, {"amount": "25", "reason": " Invoice 2026-014 paid "}, follow=True
    )

    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "+25 credits for Geoskolan AB. The balance is now 25." in response.content.decode()
    entry = CreditEntry.objects.get()
    assert (entry.kind, entry.amount, entry.reason, entry.created_by) == (
        CreditEntry.Kind.ADJUSTMENT,
        25,
        "Invoice 2026-014 paid",
        tom,
    )


def test_the_treasurer_removes_credits(client_for, tom: User, alice_org: Organisation) -> None:
    ledger.adjust_credits(alice_org, by=tom, amount=5, reason="Purchase")

    client_for(tom).post(ADJUST, {"amount": "-2", "reason": "Bought twice by mistake"})

    assert ledger.balance(alice_org) == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0", "reason": "Nothing"}, "amount", "at least one credit"),
        ({"amount": "", "reason": "Nothing"}, "amount", "This field is required."),
        ({"amount": "two", "reason": "Nothing"}, "amount", "Enter a whole number."),
        ({"amount": "1.5", "reason": "Nothing"}, "amount", "Enter a whole number."),
        ({"amount": "100001", "reason": "Typo"}, "amount", "less than or equal to 100000"),
        ({"amount": "5", "reason": "   "}, "reason", "This field is required."),
        ({"amount": "5", "reason": "x" * 301}, "reason", "at most 300 characters"),
    ],
)
def test_it_refuses_bad_adjustments(
    client_for, tom: User, alice_org: Organisation, data: dict[str, str], field: str, message: str
) -> None:
    response = client_for(tom).post(ADJUST, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["adjust_form"].errors[field])
    assert not CreditEntry.objects.exists()


def test_it_refuses_to_take_the_balance_below_the_allowance(
    client_for, tom: User, alice_org: Organisation
) -> None:
    response = client_for(tom).post(ADJUST, {"amount": "-1", "reason": "Take one"})

    assert response.context["adjust_form"].non_field_errors() == [
        "The balance cannot go below the organisation's allowance."
    ]
    assert "The balance cannot go below the organisation&#x27;s allowance." in (
        response.content.decode()
    )
    assert not CreditEntry.objects.exists()


def test_the_treasurer_sets_the_allowance(client_for, tom: User, alice_org: Organisation) -> None:
    response = client_for(tom).post(ALLOWANCE, {"allowance": "10"}, follow=True)

    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "The allowance of Geoskolan AB is now 10." in response.content.decode()
    assert ledger.spendable(alice_org) == 10


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "greater than or equal to 0"),
        ("", "This field is required."),
        ("lots", "Enter a whole number."),
    ],
)
def test_it_refuses_bad_allowances(
    client_for, tom: User, alice_org: Organisation, value: str, message: str
) -> None:
    response = client_for(tom).post(ALLOWANCE, {"allowance": value})

    assert message in " ".join(response.context["allowance_form"].errors["allowance"])
    assert not BillingAccount.objects.filter(allowance__gt=0).exists()


def test_it_refuses_an_allowance_below_what_is_already_used(
    client_for, tom: User, alice_org: Organisation
) -> None:
    ledger.set_allowance(alice_org, by=tom, allowance=5)
    ledger.adjust_credits(alice_org, by=tom, amount=-4, reason="Invoiced later")

    response = client_for(tom).post(ALLOWANCE, {"allowance": "2"})

    assert "already uses more than this allowance" in response.content.decode()
    assert BillingAccount.objects.get(organisation=alice_org).allowance == 5


def test_the_pages_have_no_inline_scripts_or_styles(
    client_for, tom: User, alice: User, alice_org: Organisation
) -> None:
    inline = re.compile(r"<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    ledger.adjust_credits(alice_org, by=tom, amount=3, reason="Purchase")

    for response in (
        client_for(tom).get(ORGANISATIONS),
        client_for(tom).get(ACCOUNT),
        client_for(tom).post(ADJUST, {"amount": "0", "reason": ""}),
        client_for(alice).get("/dashboard/organisations/geoskolan/billing/"),
    ):
        assert response.status_code == 200
        assert not inline.search(response.content.decode())
