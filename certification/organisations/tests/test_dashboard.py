import pytest
from django.test import Client

from certification.accounts.models import User
from certification.organisations.models import Membership
from certification.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_organisations_of_the_person(client_for, alice: User, carol) -> None:
    response = client_for(alice).get("/dashboard/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Geoskolan AB" in content
    assert "Carto Lab Ltd" not in content
    assert "Owner" in content


def test_it_says_so_when_the_person_belongs_nowhere(client_for, rita: User) -> None:
    response = client_for(rita).get("/dashboard/")

    assert "You do not belong to any organisation yet" in response.content.decode()


def test_anonymous_visitors_are_asked_to_log_in(client: Client) -> None:
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_it_runs_the_same_queries_for_one_or_many_organisations(
    client_for, alice: User, django_assert_max_num_queries
) -> None:
    client = client_for(alice)
    client.get("/dashboard/")  # warm up the session
    for _ in range(10):
        MembershipFactory.create(
            user=alice, organisation=OrganisationFactory.create(), role=Membership.Role.MANAGER
        )

    with django_assert_max_num_queries(6):
        response = client.get("/dashboard/")

    assert response.content.decode().count("badge-certified") == 11
