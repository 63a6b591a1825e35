import factory
from django.utils import timezone

from certification.accounts.tests.factories import UserFactory
from certification.organisations.models import Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Training Organisation {n}")
    slug = factory.Sequence(lambda n: f"training-organisation-{n}")
    country = "SE"
    address = "Storgatan 1\n111 22 Stockholm"
    website = "https://example.org"
    contact_email = factory.LazyAttribute(lambda o: f"info@{o.slug}.example.org")
    status = Organisation.Status.CERTIFIED
    certified_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OWNER
