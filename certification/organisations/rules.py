"""Who may do what to an organisation. Asked through `accounts.permissions.can`."""

from typing import Any

from certification.accounts.permissions import acts_as, rule
from certification.accounts.roles import GlobalRole
from certification.organisations.models import Membership, Organisation, role_at_least


def membership_role(user: Any, organisation: Organisation) -> str | None:
    """The user's role in the organisation, read once per user and organisation."""
    cache: dict[int, str | None] = user.__dict__.setdefault("_membership_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(user=user, organisation=organisation)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organisation.pk]


def _oversees(user: Any) -> bool:
    return acts_as(user, GlobalRole.CERTIFICATION_TEAM) or acts_as(user, GlobalRole.PSC_MEMBER)


@rule("organisation.view_private")
def can_view_private(user: Any, organisation: Organisation) -> bool:
    return membership_role(user, organisation) is not None or _oversees(user)


@rule("organisation.manage")
def can_manage(user: Any, organisation: Organisation) -> bool:
    return role_at_least(membership_role(user, organisation), Membership.Role.MANAGER)


@rule("organisation.manage_members")
def can_manage_members(user: Any, organisation: Organisation) -> bool:
    return role_at_least(membership_role(user, organisation), Membership.Role.OWNER)


@rule("organisation.change_status")
def can_change_status(user: Any, organisation: Organisation) -> bool:
    return _oversees(user)
