import datetime

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from certification.accounts.tests.factories import UserFactory
from certification.organisations.models import Membership, MembershipInvitation, Organisation


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    legal_name = Sequence(lambda n: f"Training Organisation {n}")
    slug = Sequence(lambda n: f"training-organisation-{n}")
    country = "SE"
    address = "Storgatan 1\n111 22 Stockholm"
    website = "https://example.org"
    contact_email = LazyAttribute(lambda o: f"info@{o.slug}.example.org")
    status = Organisation.Status.CERTIFIED
    certified_at = LazyFunction(timezone.now)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = SubFactory(UserFactory)
    organisation = SubFactory(OrganisationFactory)
    role = Membership.Role.OWNER


class MembershipInvitationFactory(DjangoModelFactory[MembershipInvitation]):
    """A pending invitation to join as a trainer, expiring tomorrow; sent by nobody (no email
    goes out: `services.invite_member` sends one)."""

    class Meta:
        model = MembershipInvitation

    organisation = SubFactory(OrganisationFactory)
    email = Sequence(lambda n: f"invited{n}@example.org")
    role = Membership.Role.TRAINER
    expires_at = LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
