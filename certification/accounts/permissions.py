"""The one place that answers "may this user do X to this object?".

Each app declares its rules in its own `rules.py` with `@rule("organisation.manage")`;
views, templates and the API ask through `can()` or `require()`. A rule that needs a global
role of the staff kind also needs two-factor authentication (see `acts_as`).

Rules are plain functions of (user, object) so that they are easy to read and to test.
"""

from collections.abc import Callable
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied

from certification.accounts.roles import GlobalRole, has_role, requires_two_factor

Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the function deciding `action`. Each action has exactly one rule."""

    def register(function: Rule) -> Rule:
        if action in _rules and _rules[action] is not function:
            raise ValueError(f"The permission {action!r} already has a rule.")
        _rules[action] = function
        return function

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if action not in _rules:
        raise KeyError(f"No rule decides {action!r}.")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(_rules[action](user, obj))


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (403) unless the user may do `action` to `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied


def has_two_factor(user: Any) -> bool:
    cached = getattr(user, "_has_two_factor", None)
    if cached is None:
        cached = bool(is_mfa_enabled(user))
        user._has_two_factor = cached
    return bool(cached)


def acts_as(user: Any, role: GlobalRole) -> bool:
    """The user holds `role` and, where the role demands it, has two-factor authentication."""
    if not has_role(user, role):
        return False
    return has_two_factor(user) if requires_two_factor(user) else True


class RulesBackend:
    """Lets `user.has_perm("organisation.manage", org)` ask the same rules."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user: Any, perm: str, obj: Any = None) -> bool:
        if perm not in _rules:
            return False
        return can(user, perm, obj)
