"""The credit ledger: balances, spending and adjustments. Rows are only ever added.

`spend_for_certificates` and `refund_certificate` are steps of issuing and re-issuing
certificates (certificates/services.py), which check who may do that; the treasurer's
adjustments and allowances check their own rule here.
"""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.accounts.models import User
from certification.billing.models import BillingAccount, CreditEntry
from certification.billing.rules import require_unless_platform
from certification.core.audit import record_event
from certification.organisations.models import Organisation


class CreditError(Exception):
    """Not enough credits, or a ledger change that is not allowed; the message says why."""


def balance(organisation: Organisation) -> int:
    total = CreditEntry.objects.filter(organisation=organisation).aggregate(total=Sum("amount"))
    return total["total"] or 0


def lock_account(organisation: Organisation) -> BillingAccount:
    """The organisation's billing account, locked until the transaction ends.

    Everyone who spends or adds credits takes this lock first, so two people issuing
    certificates at the same moment are served one after the other.
    """
    BillingAccount.objects.get_or_create(organisation=organisation)
    return BillingAccount.objects.select_for_update().get(organisation=organisation)


def spendable(organisation: Organisation) -> int:
    """Credits that can still be spent: the balance plus the allowance."""
    account = BillingAccount.objects.filter(organisation=organisation).first()
    return balance(organisation) + (account.allowance if account else 0)


def spend_for_certificates(
    organisation: Organisation, codes: list[str], *, by: User | None
) -> list[CreditEntry]:
    """One credit per certificate code. Call inside the transaction that creates them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Spending credits must happen inside the issuing transaction.")
    account = lock_account(organisation)
    available = balance(organisation) + account.allowance
    if len(codes) > available:
        raise CreditError(
            ngettext(
                "%(needed)s credit is needed, and %(available)s are available.",
                "%(needed)s credits are needed, and %(available)s are available.",
                len(codes),
            )
            % {"needed": len(codes), "available": max(available, 0)}
        )
    return CreditEntry.objects.bulk_create(
        [
            CreditEntry(
                organisation=organisation,
                kind=CreditEntry.Kind.ISSUANCE,
                amount=-1,
                certificate_code=code,
                created_by=by,
            )
            for code in codes
        ]
    )


def refund_certificate(
    organisation: Organisation, code: str, *, by: User | None, reason: str
) -> CreditEntry:
    with transaction.atomic():
        lock_account(organisation)
        entry = CreditEntry.objects.create(
            organisation=organisation,
            kind=CreditEntry.Kind.REFUND,
            amount=1,
            certificate_code=code,
            reason=reason,
            created_by=by,
        )
    return entry


def adjust_credits(
    organisation: Organisation, *, by: User | None, amount: int, reason: str
) -> CreditEntry:
    """The treasurer adds or removes credits, always with a reason."""
    require_unless_platform(by, "treasury.manage", organisation)
    if amount == 0:
        raise CreditError(_("An adjustment changes the balance by at least one credit."))
    if not reason.strip():
        raise CreditError(_("Give the reason for the adjustment."))
    with transaction.atomic():
        account = lock_account(organisation)
        if balance(organisation) + amount < -account.allowance:
            raise CreditError(_("The balance cannot go below the organisation's allowance."))
        entry = CreditEntry.objects.create(
            organisation=organisation,
            kind=CreditEntry.Kind.ADJUSTMENT,
            amount=amount,
            reason=reason.strip(),
            created_by=by,
        )
        record_event(
            "billing.credits_adjusted",
            actor=by,
            target=organisation,
            data={"amount": amount, "reason": reason.strip()},
        )
    return entry


def set_allowance(organisation: Organisation, *, by: User | None, allowance: int) -> None:
    """How far the treasurer lets the organisation's balance go below zero."""
    require_unless_platform(by, "treasury.manage", organisation)
    if allowance < 0:
        raise CreditError(_("The allowance cannot be negative."))
    with transaction.atomic():
        account = lock_account(organisation)
        if balance(organisation) < -allowance:
            raise CreditError(_("The organisation already uses more than this allowance."))
        account.allowance = allowance
        account.save(update_fields=["allowance"])
        record_event(
            "billing.allowance_set", actor=by, target=organisation, data={"allowance": allowance}
        )
