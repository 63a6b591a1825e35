import pytest
from django.db import IntegrityError, transaction

from certification.accounts.models import User
from certification.core.audit import record_event
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_object(alice: User, alice_org: Organisation) -> None:
    event = record_event("organisation.updated", actor=alice, target=alice_org, data={"x": 1})

    event.refresh_from_db()
    assert event.actor == alice
    assert event.actor_label == "alice@example.org"
    assert event.action == "organisation.updated"
    assert event.target_id == str(alice_org.pk)
    assert event.target_label == "Geoskolan AB"
    assert event.data == {"x": 1}


def test_it_records_the_system_when_nobody_acted(alice_org: Organisation) -> None:
    event = record_event("organisation.expired", actor=None, target=alice_org)

    assert event.actor is None
    assert event.actor_label == "system"


def test_it_keeps_the_actor_label_when_the_account_is_deleted(
    alice: User, alice_org: Organisation
) -> None:
    event = record_event("organisation.updated", actor=alice, target=alice_org)
    alice.delete()

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_label == "alice@example.org"


@pytest.mark.parametrize("action", ["Submitted", "application", "application.", "a..b", "x.Y"])
def test_it_refuses_actions_that_are_not_dotted_codes(action: str, alice: User) -> None:
    with pytest.raises(ValueError, match="dotted"):
        record_event(action, actor=alice)


def test_the_database_refuses_malformed_actions_too() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="not a code")


def test_a_timeline_lists_only_that_objects_events_newest_first(
    alice: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    first = record_event("organisation.created", actor=alice, target=alice_org)
    record_event("organisation.created", actor=alice, target=carol_org)
    second = record_event("organisation.updated", actor=alice, target=alice_org)

    assert list(AuditEvent.objects.for_object(alice_org)) == [second, first]
