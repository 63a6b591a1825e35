"""Global roles: Django groups with a fixed name each.

Organisation roles (owner, manager, trainer) live on `organisations.Membership`.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class GlobalRole(models.TextChoices):
    CERTIFICATION_TEAM = "certification_team", _("Certification team")
    USER_GROUP_REVIEWER = "user_group_reviewer", _("User group reviewer")
    PSC_MEMBER = "psc_member", _("PSC member")
    TREASURER = "treasurer", _("Treasurer")


# These roles act on other people's data: they cannot act without two-factor authentication.
ROLES_REQUIRING_TWO_FACTOR = frozenset(
    {GlobalRole.CERTIFICATION_TEAM, GlobalRole.PSC_MEMBER, GlobalRole.TREASURER}
)

# What each role may see and change in the Django admin (by model permission codename).
ROLE_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    GlobalRole.CERTIFICATION_TEAM: [
        "accounts.view_user",
        "core.view_auditevent",
        "organisations.view_organisation",
        "organisations.change_organisation",
        "organisations.view_membership",
        "organisations.add_membership",
        "organisations.change_membership",
        "organisations.delete_membership",
        "training.view_coursetype",
        "training.view_course",
        "training.view_trainingcentre",
        "certificates.view_certificate",
    ],
    GlobalRole.TREASURER: [
        "core.view_auditevent",
        "organisations.view_organisation",
        "billing.view_billingaccount",
        "billing.change_billingaccount",
        "billing.view_creditentry",
        "certificates.view_certificate",
    ],
    GlobalRole.PSC_MEMBER: [
        "core.view_auditevent",
        "organisations.view_organisation",
    ],
    GlobalRole.USER_GROUP_REVIEWER: [],
}


def role_names(user: Any) -> frozenset[str]:
    """The global roles of a user, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_global_role_names", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=GlobalRole.values).values_list("name", flat=True)
        )
        user._global_role_names = cached
    return cached


def has_role(user: Any, role: GlobalRole) -> bool:
    return role.value in role_names(user)


def requires_two_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & ROLES_REQUIRING_TWO_FACTOR)


def ensure_role_groups(**kwargs: Any) -> None:
    """Create the role groups and give them their admin permissions (idempotent)."""
    for role, permission_names in ROLE_ADMIN_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in permission_names:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.add(*wanted)
