from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from certification.accounts.roles import ROLES_REQUIRING_TWO_FACTOR, GlobalRole
from certification.core.audit import record_event
from certification.core.emails import send_templated_email


def _forget_cached_roles(user: Any) -> None:
    user.__dict__.pop("_global_role_names", None)


def grant_role(user: Any, role: GlobalRole, *, by: Any | None, notify: bool = True) -> None:
    """Give a person a global role and tell them. Staff roles also open the administration."""
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
        needs_two_factor = role in ROLES_REQUIRING_TWO_FACTOR
        if needs_two_factor and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        record_event("account.role_granted", actor=by, target=user, data={"role": role.value})
        if notify:
            send_templated_email(
                "role_granted",
                to=[user.email],
                language=user.language,
                context={
                    "name": user.get_short_name(),
                    "role_label": role.label,
                    "needs_two_factor": needs_two_factor,
                    "login_path": reverse("account_login"),
                },
            )
    _forget_cached_roles(user)


def revoke_role(user: Any, role: GlobalRole, *, by: Any | None) -> None:
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name=role.value))
        record_event("account.role_revoked", actor=by, target=user, data={"role": role.value})
    _forget_cached_roles(user)
