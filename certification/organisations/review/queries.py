"""Reads of the organisation oversight pages."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

STATUS_EVENTS: dict[str, Promise] = {
    "organisation.certified": _("Certified"),
    "organisation.suspended": _("Suspended"),
    "organisation.archived": _("Archived"),
    "organisation.reinstated": _("Reinstated"),
}


def overseen_organisations(*, text: str = "", status: str = "") -> QuerySet[Organisation]:
    """Certified, suspended and archived organisations, by name, slug or country code."""
    found = Organisation.objects.filter(
        status__in=[status] if status else Organisation.Status.overseen()
    )
    if text:
        found = found.filter(
            Q(legal_name__icontains=text) | Q(slug__icontains=text) | Q(country__iexact=text)
        )
    return found.order_by("legal_name", "pk")


def status_history(organisation: Organisation, *, limit: int = 20) -> list[dict[str, Any]]:
    """The organisation's changes of status, newest first, each with its reason (one query)."""
    events = AuditEvent.objects.for_object(organisation).filter(action__in=STATUS_EVENTS)
    return [
        {
            "at": event.created_at,
            "who": event.actor.get_full_name() if event.actor else event.actor_label,
            "label": str(STATUS_EVENTS[event.action]),
            "detail": str((event.data or {}).get("reason", "")),
        }
        for event in events[:limit]
    ]
