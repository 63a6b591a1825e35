"""Who may do what with money. Asked through `accounts.permissions.can` and `require`.

An organisation's owners and managers see its billing and buy its credits; trainers do not.
The treasurer, with two-factor authentication (`acts_as`), sees every organisation's money
and changes it: payments, credit notes, credits and allowances, bank statements.

The services check these rules themselves, for the user they are given as `by`; `by=None`
is the platform itself (a periodic job, Stripe's webhook, demo data), which no rule stops.
"""

from certification.accounts.models import User
from certification.accounts.permissions import acts_as, require, rule
from certification.accounts.roles import GlobalRole
from certification.organisations.models import Membership, Organisation, role_at_least
from certification.organisations.rules import membership_role


def _owner_or_manager(user: User, organisation: Organisation) -> bool:
    return role_at_least(membership_role(user, organisation), Membership.Role.MANAGER)


@rule("billing.view")
def can_view_billing(user: User, organisation: Organisation) -> bool:
    """The balance, ledger, orders, invoices and payments of the organisation."""
    return _owner_or_manager(user, organisation)


@rule("billing.buy")
def can_buy(user: User, organisation: Organisation) -> bool:
    """Order credits, pay them, and say who the invoices are made out to."""
    return _owner_or_manager(user, organisation)


@rule("treasury.view")
def can_view_treasury(user: User, obj: object = None) -> bool:
    """Every organisation's credits, orders, invoices, payments and statements."""
    return acts_as(user, GlobalRole.TREASURER)


@rule("treasury.manage")
def can_manage_treasury(user: User, obj: object = None) -> bool:
    """Record payments, cancel invoices, adjust credits and allowances, read statements."""
    return acts_as(user, GlobalRole.TREASURER)


def require_unless_platform(by: User | None, action: str, obj: object = None) -> None:
    """`require` for a person. The platform itself (`by=None`) acts without asking: it only
    does what a rule already allowed someone, or what the programme's own schedule says."""
    if by is not None:
        require(by, action, obj)
