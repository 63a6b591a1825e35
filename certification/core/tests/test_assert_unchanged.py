"""The helper the tests of refused requests lean on must itself catch every kind of change."""

import pytest
from django.core import mail

from certification.accounts.models import User
from certification.core.audit import record_event
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.tests.factories import CourseFactory, TrainerFactory

pytestmark = pytest.mark.django_db


def test_it_passes_when_nothing_changes(alice_org: Organisation) -> None:
    with assert_unchanged(alice_org, Organisation):
        Organisation.objects.get(pk=alice_org.pk)


def test_it_catches_a_changed_field(alice_org: Organisation) -> None:
    with pytest.raises(AssertionError, match="legal_name"), assert_unchanged(alice_org):
        Organisation.objects.filter(pk=alice_org.pk).update(legal_name="Renamed AB")


def test_it_catches_a_deleted_row(alice_org: Organisation) -> None:
    with pytest.raises(AssertionError, match="deleted"), assert_unchanged(alice_org):
        Organisation.objects.filter(pk=alice_org.pk).delete()


def test_it_catches_a_new_row_of_a_watched_model(db: None) -> None:
    with (
        pytest.raises(AssertionError, match="rows of Organisation"),
        assert_unchanged(Organisation),
    ):
        OrganisationFactory()


def test_it_catches_a_changed_many_to_many_link(db: None) -> None:
    course = CourseFactory()
    with pytest.raises(AssertionError, match="trainers"), assert_unchanged(course):
        course.trainers.add(TrainerFactory(organisation=course.organisation))


def test_it_catches_an_audit_event_even_unwatched(alice: User, alice_org: Organisation) -> None:
    with pytest.raises(AssertionError, match="audit events"), assert_unchanged():
        record_event("organisation.updated", actor=alice, target=alice_org)


def test_it_catches_an_email_even_unwatched(db: None) -> None:
    with pytest.raises(AssertionError, match="emails sent"), assert_unchanged():
        mail.send_mail("Subject", "Body", "from@example.org", ["to@example.org"])
