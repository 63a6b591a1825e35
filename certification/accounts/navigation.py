"""Navigation per role: each entry names a URL and who sees it.

Entries refer to URLs by name only, so that this module imports no app below it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certification.accounts.permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]


def _authenticated(user: Any) -> bool:
    return bool(user.is_authenticated)


def _staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def _treasurer(user: Any) -> bool:
    return user.is_authenticated and can(user, "treasury.view")


def _reviewer(user: Any) -> bool:
    return user.is_authenticated and can(user, "review.workspace")


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Organisations"), "directory:organisation_list", lambda user: True),
    NavItem(_("Courses"), "directory:course_list", lambda user: True),
    NavItem(_("Verify a certificate"), "verification:verify", lambda user: True),
    NavItem(_("Apply"), "applications:apply", lambda user: True),
    NavItem(_("Dashboard"), "organisations:dashboard", _authenticated),
    NavItem(_("Review"), "review:queue", _reviewer),
    NavItem(_("Treasury"), "treasury:overview", _treasurer),
    NavItem(_("Administration"), "admin:index", _staff),
]


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    entries = []
    for item in NAV_ITEMS:
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "current": current_path.startswith(url)})
    return entries
