from typing import Any

from django import template

from certification.accounts.permissions import can as can_do

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], action: str, obj: Any = None) -> bool:
    """`{% can "organisation.manage" organisation as allowed %}` asks the permission rules.

    Templates use it only to show or hide controls; every view checks again on the server.
    """
    return can_do(context["request"].user, action, obj)
