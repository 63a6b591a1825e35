import pytest
from django.test import Client

from certification.accounts.models import User
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/organisations/geoskolan/"


def test_the_owner_sees_details_and_member_emails(client_for, alice: User, bob: User) -> None:
    response = client_for(alice).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Geoskolan AB" in content
    assert "bob@example.org" in content
    assert "Trainer" in content


def test_a_trainer_sees_the_organisation_but_not_member_emails(
    client_for, alice: User, bob: User
) -> None:
    response = client_for(bob).get(URL)

    assert response.status_code == 200
    assert "Alice Andersson" in response.content.decode()
    assert "alice@example.org" not in response.content.decode()


def test_another_organisations_owner_gets_a_404(client_for, alice: User, carol: User) -> None:
    assert client_for(carol).get(URL).status_code == 404


def test_a_user_group_reviewer_gets_a_404(client_for, alice: User, ugo: User) -> None:
    assert client_for(ugo).get(URL).status_code == 404


def test_the_certification_team_may_look(client_for, alice: User, rita: User) -> None:
    response = client_for(rita).get(URL)

    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()


def test_an_unknown_organisation_is_a_404(client_for, alice: User) -> None:
    assert client_for(alice).get("/dashboard/organisations/nowhere/").status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org) -> None:
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_it_refuses_posts(client_for, alice: User, alice_org: Organisation) -> None:
    with assert_unchanged(alice_org):
        assert client_for(alice).post(URL).status_code == 405


def test_user_content_is_escaped(client_for, alice: User, alice_org: Organisation) -> None:
    alice_org.address = "<script>alert('x')</script>"
    alice_org.save()

    content = client_for(alice).get(URL).content.decode()

    assert "<script>alert" not in content
    assert "&lt;script&gt;" in content


def test_the_member_list_costs_the_same_queries_for_many_members(
    client_for, alice: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    client = client_for(alice)
    client.get(URL)
    MembershipFactory.create_batch(20, organisation=alice_org, role=Membership.Role.TRAINER)

    with django_assert_max_num_queries(7):
        response = client.get(URL)

    assert response.content.decode().count("— Trainer") == 20


PROFILE = 'href="/dashboard/organisations/geoskolan/profile/"'
MEMBERS = 'href="/dashboard/organisations/geoskolan/members/"'
COURSE_TYPES = 'href="/dashboard/organisations/geoskolan/course-types/"'
PUBLIC = 'href="/organisations/geoskolan/"'


def test_the_owner_gets_links_to_every_page(client_for, alice: User) -> None:
    content = client_for(alice).get(URL).content.decode()

    for link in [PROFILE, MEMBERS, COURSE_TYPES, PUBLIC]:
        assert link in content
    assert "Manage members" in content


def test_a_manager_edits_the_profile_but_does_not_manage_members(
    client_for, alice_org: Organisation
) -> None:
    manager = MembershipFactory.create(organisation=alice_org, role=Membership.Role.MANAGER).user

    content = client_for(manager).get(URL).content.decode()

    assert PROFILE in content
    assert MEMBERS in content
    assert "Manage members" not in content


def test_a_trainer_gets_the_read_only_pages(client_for, bob: User) -> None:
    content = client_for(bob).get(URL).content.decode()

    assert PROFILE not in content
    assert MEMBERS in content
    assert COURSE_TYPES in content


def test_an_applicant_has_no_public_page_to_link_to(
    client_for, alice: User, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.APPLICANT
    alice_org.save()

    content = client_for(alice).get(URL).content.decode()

    assert PUBLIC not in content
    assert PROFILE in content
