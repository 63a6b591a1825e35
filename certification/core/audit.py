"""Recording audit events: every service calls `record_event` inside its transaction."""

import re
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from certification.core.models import ACTION_PATTERN, AuditEvent


def record_event(
    action: str,
    *,
    actor: Any | None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one AuditEvent. `action` is a dotted code such as `application.submitted`."""
    if not re.fullmatch(ACTION_PATTERN, action):
        raise ValueError(f"Audit actions are dotted lower-case codes, not {action!r}.")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=str(getattr(actor, "email", "")) if authenticated else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        data=data or {},
    )


def record_events(
    action: str,
    *,
    actor: Any | None,
    targets: Sequence[models.Model],
    data: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """The same event for many objects at once, in one insert (batches of certificates)."""
    if not targets:
        return []
    if not re.fullmatch(ACTION_PATTERN, action):
        raise ValueError(f"Audit actions are dotted lower-case codes, not {action!r}.")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    target_type = ContentType.objects.get_for_model(targets[0])
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if authenticated else None,
                actor_label=str(getattr(actor, "email", "")) if authenticated else "system",
                action=action,
                target_type=target_type,
                target_id=str(target.pk),
                target_label=str(target)[:255],
                data=data or {},
            )
            for target in targets
        ]
    )
