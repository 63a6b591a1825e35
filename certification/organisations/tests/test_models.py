import pytest
from django.db import IntegrityError, transaction

from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_legal_names_are_unique_whatever_their_case() -> None:
    OrganisationFactory.create(legal_name="Geoskolan AB")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory.create(legal_name="GEOSKOLAN ab")


def test_a_person_has_one_membership_per_organisation() -> None:
    membership = MembershipFactory.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(user=membership.user, organisation=membership.organisation)


def test_the_database_refuses_unknown_statuses_and_roles() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory.create(status="dissolved")
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(role="janitor")


def test_only_certified_organisations_are_public() -> None:
    certified = OrganisationFactory.create(status=Organisation.Status.CERTIFIED)
    for status in ["applicant", "suspended", "archived"]:
        OrganisationFactory.create(status=status)

    assert list(Organisation.objects.certified()) == [certified]
    assert certified.is_certified


def test_a_person_in_several_organisations_sees_each_once(alice) -> None:
    other = OrganisationFactory.create()
    MembershipFactory.create(user=alice, organisation=other, role=Membership.Role.TRAINER)

    assert Organisation.objects.for_member(alice).count() == 2
