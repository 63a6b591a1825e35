import pytest
from django.test import Client
from factory.declarations import SubFactory

from certification.accounts.models import User
from certification.accounts.tests.factories import UserFactory
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import Trainer
from certification.training.tests.factories import CourseFactory, TrainerFactory

pytestmark = pytest.mark.django_db

LIST = "/dashboard/organisations/geoskolan/trainers/"
NEW = LIST + "new/"


def edit(trainer: Trainer) -> str:
    return f"{LIST}{trainer.public_id}/edit/"


def delete(trainer: Trainer) -> str:
    return f"{LIST}{trainer.public_id}/delete/"


@pytest.fixture
def karin(alice_org: Organisation) -> Trainer:
    return TrainerFactory.create(
        organisation=alice_org, name="Karin Lund", email="karin@example.org"
    )


# --- The list ------------------------------------------------------------------------------


def test_it_lists_the_trainers_and_their_accounts(
    client_for, alice: User, bob: User, alice_org: Organisation, carol_org: Organisation
) -> None:
    TrainerFactory.create(organisation=alice_org, name="Bob Berg", user=bob)
    TrainerFactory.create(organisation=alice_org, name="Karin Lund", email="")
    TrainerFactory.create(organisation=carol_org, name="Carol Carter")

    response = client_for(alice).get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Bob Berg" in content
    assert "bob@example.org" in content
    assert "Karin Lund" in content
    assert "Not linked" in content
    assert "Carol Carter" not in content


def test_it_says_when_there_are_no_trainers(client_for, alice: User) -> None:
    assert "No trainers yet." in client_for(alice).get(LIST).content.decode()


def test_it_pages_the_trainers_by_25_in_a_bounded_number_of_queries(
    client_for, alice: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    client = client_for(alice)
    TrainerFactory.create_batch(3, organisation=alice_org, user=SubFactory(UserFactory))
    with django_assert_max_num_queries(50) as few:
        client.get(LIST)
    TrainerFactory.create_batch(30, organisation=alice_org, user=SubFactory(UserFactory))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)

    assert response.content.decode().count('<th scope="row">') == 25
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("carol", 404), ("ugo", 404)])
def test_only_owners_and_managers_see_the_trainers(
    request, client_for, alice_org: Organisation, persona: str, status: int
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(LIST).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client: Client, alice_org: Organisation) -> None:
    assert client.get(LIST).status_code == 302


def test_the_list_refuses_posts(client_for, alice: User) -> None:
    with assert_unchanged(Trainer):
        assert client_for(alice).post(LIST).status_code == 405


# --- Adding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_owners_and_managers_add_a_trainer_without_an_account(
    request, client_for, persona: str, alice_org: Organisation
) -> None:
    response = client_for(request.getfixturevalue(persona)).post(
        NEW, {"name": "Karin Lund", "email": "karin@example.org", "account_email": ""}
    )

    assert response.status_code == 302
    trainer = alice_org.trainers.get()
    assert (trainer.name, trainer.email, trainer.user) == ("Karin Lund", "karin@example.org", None)
    assert AuditEvent.objects.filter(action="trainer.created").count() == 1


def test_a_trainer_is_linked_to_a_members_account_by_email(
    client_for, alice: User, bob: User, alice_org: Organisation
) -> None:
    client_for(alice).post(
        NEW, {"name": "Bob Berg", "email": "", "account_email": "BOB@example.org"}
    )

    assert alice_org.trainers.get().user == bob


def test_only_members_accounts_can_be_linked(
    client_for, alice: User, carol: User, alice_org: Organisation
) -> None:
    response = client_for(alice).post(
        NEW, {"name": "Carol", "email": "", "account_email": "carol@example.org"}
    )

    assert "No member of your organisation logs in with this email." in response.content.decode()
    assert not alice_org.trainers.exists()


def test_an_account_is_linked_to_one_trainer_only(
    client_for, alice: User, bob: User, alice_org: Organisation
) -> None:
    TrainerFactory.create(organisation=alice_org, user=bob)

    response = client_for(alice).post(
        NEW, {"name": "Bob again", "email": "", "account_email": "bob@example.org"}
    )

    assert "already linked to another trainer" in response.content.decode()
    assert alice_org.trainers.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": ""}, "This field is required."),
        ({"name": "Karin", "email": "not-an-email"}, "Enter a valid email address."),
        ({"name": "Karin", "email": "", "account_email": "nope"}, "Enter a valid email address."),
    ],
)
def test_it_refuses_bad_details(
    client_for, alice: User, alice_org: Organisation, data: dict, message: str
) -> None:
    response = client_for(alice).post(NEW, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not alice_org.trainers.exists()


def test_a_trainer_may_not_add_trainers(client_for, bob: User, alice_org: Organisation) -> None:
    assert client_for(bob).post(NEW, {"name": "Bob's friend"}).status_code == 403
    assert not alice_org.trainers.exists()


def test_another_organisation_may_not_add_trainers(
    client_for, carol: User, alice_org: Organisation
) -> None:
    assert client_for(carol).post(NEW, {"name": "Mole"}).status_code == 404
    assert not alice_org.trainers.exists()


def test_anonymous_visitors_may_not_add_trainers(client: Client, alice_org: Organisation) -> None:
    assert client.post(NEW, {"name": "Mole"}).status_code == 302
    assert not alice_org.trainers.exists()


# --- Editing ---------------------------------------------------------------------------------


def test_owners_edit_a_trainer_and_link_an_account(
    client_for, alice: User, bob: User, karin: Trainer
) -> None:
    response = client_for(alice).post(
        edit(karin), {"name": "Karin Lund-Berg", "email": "", "account_email": "bob@example.org"}
    )

    assert response.status_code == 302
    karin.refresh_from_db()
    assert (karin.name, karin.email, karin.user) == ("Karin Lund-Berg", "", bob)
    event = AuditEvent.objects.get(action="trainer.updated")
    assert event.data["fields"] == ["email", "name", "user"]


def test_unlinking_an_account(client_for, alice: User, bob: User, alice_org) -> None:
    trainer = TrainerFactory.create(organisation=alice_org, user=bob, name="Bob Berg")
    client = client_for(alice)
    assert 'value="bob@example.org"' in client.get(edit(trainer)).content.decode()

    client.post(edit(trainer), {"name": "Bob Berg", "email": trainer.email, "account_email": ""})

    trainer.refresh_from_db()
    assert trainer.user is None


def test_a_trainer_may_not_edit_trainers(client_for, bob: User, karin: Trainer) -> None:
    with assert_unchanged(karin):
        assert client_for(bob).post(edit(karin), {"name": "X"}).status_code == 403
    karin.refresh_from_db()
    assert karin.name == "Karin Lund"


def test_another_organisations_trainer_is_not_found(
    client_for, alice: User, carol_org: Organisation
) -> None:
    trainer = TrainerFactory.create(organisation=carol_org)

    assert client_for(alice).get(edit(trainer)).status_code == 404


def test_carol_may_not_edit_alices_trainers(client_for, carol: User, karin: Trainer) -> None:
    with assert_unchanged(karin):
        assert client_for(carol).post(edit(karin), {"name": "X"}).status_code == 404


# --- Deleting --------------------------------------------------------------------------------


def test_owners_delete_a_trainer_who_teaches_nothing(
    client_for, alice: User, karin: Trainer
) -> None:
    client = client_for(alice)
    assert "Delete the trainer Karin Lund?" in client.get(delete(karin)).content.decode()

    response = client.post(delete(karin), follow=True)

    assert not Trainer.objects.filter(pk=karin.pk).exists()
    assert "“Karin Lund” is deleted." in response.content.decode()
    assert AuditEvent.objects.filter(action="trainer.deleted").exists()


def test_a_trainer_of_courses_is_kept(client_for, alice: User, karin: Trainer) -> None:
    CourseFactory.create(organisation=karin.organisation, trainers=[karin])
    client = client_for(alice)

    assert "cannot be deleted" in client.get(delete(karin)).content.decode()
    response = client.post(delete(karin), follow=True)

    assert Trainer.objects.filter(pk=karin.pk).exists()
    assert "This trainer teaches courses" in response.content.decode()


def test_a_trainer_may_not_delete_trainers(client_for, bob: User, karin: Trainer) -> None:
    assert client_for(bob).post(delete(karin)).status_code == 403
    assert Trainer.objects.filter(pk=karin.pk).exists()


def test_carol_may_not_delete_alices_trainers(client_for, carol: User, karin: Trainer) -> None:
    with assert_unchanged(karin):
        assert client_for(carol).post(delete(karin)).status_code == 404


def test_anonymous_visitors_may_not_delete_trainers(client: Client, karin: Trainer) -> None:
    assert client.post(delete(karin)).status_code == 302
    assert Trainer.objects.filter(pk=karin.pk).exists()
