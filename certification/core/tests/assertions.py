"""`assert_unchanged`: a refused request is checked for what it did not do, not only its status.

A plain context manager rather than a fixture: each test names the rows and models its request
would have changed. It lives in `core` because every app may import core, so the tests of
every app share it without an import pointing the wrong way.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core import mail
from django.db.models import Model

from certification.core.models import AuditEvent

type Watched = Model | type[Model]


@contextmanager
def assert_unchanged(*watched: Watched) -> Iterator[None]:
    """Fails if, inside the block, anything changed that a refused request must not change:

    - a row passed in (`centre`): any of its fields or many-to-many links, read back from the
      database, or the row is gone;
    - a model passed in (`TrainingCentre`): its number of rows;
    - always: an audit event was written or an email was sent.

        with assert_unchanged(centre, TrainingCentre):
            assert client_for(bob).post(edit(centre), VALID).status_code == 403
    """
    before = _state(watched)
    yield
    after = _state(watched)
    keys = [*before, *(key for key in after if key not in before)]
    changes = [
        f"{key}: {before.get(key, 'absent')!r} -> {after.get(key, 'absent')!r}"
        for key in keys
        if before.get(key, "absent") != after.get(key, "absent")
    ]
    assert not changes, "A refused request changed something:\n" + "\n".join(changes)


def _state(watched: tuple[Watched, ...]) -> dict[str, object]:
    state: dict[str, object] = {
        "audit events": list(AuditEvent.objects.order_by("pk").values_list("pk", "action")),
        "emails sent": len(getattr(mail, "outbox", [])),
    }
    for thing in watched:
        if isinstance(thing, Model):
            row = _row(thing)
            label = f"{type(thing).__name__} {thing.pk}"
            if row is None:
                state[label] = "deleted"
            else:
                state.update({f"{label} {field}": value for field, value in row.items()})
        else:
            state[f"rows of {thing.__name__}"] = thing._base_manager.count()
    return state


def _row(instance: Model) -> dict[str, object] | None:
    """The row as the database holds it now, or None once it is deleted."""
    model = type(instance)
    fresh = model._base_manager.filter(pk=instance.pk).first()
    if fresh is None:
        return None
    row: dict[str, object] = {
        field.attname: field.value_from_object(fresh) for field in model._meta.concrete_fields
    }
    for field in model._meta.many_to_many:
        row[field.name] = sorted(getattr(fresh, field.name).values_list("pk", flat=True))
    return row
