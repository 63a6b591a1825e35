from decimal import Decimal

import pytest
from django.test import Client

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import TrainingCentre
from certification.training.tests.factories import CourseFactory, TrainingCentreFactory

pytestmark = pytest.mark.django_db

LIST = "/dashboard/organisations/geoskolan/training-centres/"
NEW = LIST + "new/"
VALID = {
    "name": "Geoskolan Uppsala",
    "address": "Kungsgatan 1",
    "city": "Uppsala",
    "country": "SE",
    "latitude": "59.858562",
    "longitude": "17.638927",
}


def edit(centre: TrainingCentre) -> str:
    return f"{LIST}{centre.public_id}/edit/"


def delete(centre: TrainingCentre) -> str:
    return f"{LIST}{centre.public_id}/delete/"


@pytest.fixture
def centre(alice_org: Organisation) -> TrainingCentre:
    return TrainingCentreFactory.create(organisation=alice_org, name="Geoskolan Stockholm")


# --- The list ------------------------------------------------------------------------------


def test_it_lists_the_training_centres_with_their_courses(
    client_for, alice: User, centre: TrainingCentre, carol_org: Organisation
) -> None:
    CourseFactory.create(organisation=centre.organisation, training_centre=centre)
    TrainingCentreFactory.create(organisation=carol_org, name="Carol's centre")

    response = client_for(alice).get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Geoskolan Stockholm" in content
    assert "59.332600, 18.064900" in content
    assert "Carol&#x27;s centre" not in content
    assert "Carol's centre" not in content
    assert f'href="{edit(centre)}"' in content
    assert f'href="{NEW}"' in content


def test_it_says_when_there_are_no_training_centres(client_for, alice: User) -> None:
    assert "No training centres yet." in client_for(alice).get(LIST).content.decode()


def test_it_pages_the_list_by_25(client_for, alice: User, alice_org: Organisation) -> None:
    TrainingCentreFactory.create_batch(30, organisation=alice_org)

    first = client_for(alice).get(LIST).content.decode()
    second = client_for(alice).get(LIST + "?page=2").content.decode()

    assert first.count('<th scope="row">') == 25
    assert second.count('<th scope="row">') == 5
    assert "Page 2 of 2" in second


def test_the_list_runs_the_same_queries_with_ten_times_the_centres(
    client_for, alice: User, alice_org: Organisation, django_assert_max_num_queries
) -> None:
    for centre in TrainingCentreFactory.create_batch(2, organisation=alice_org):
        CourseFactory.create(organisation=alice_org, training_centre=centre)
    client = client_for(alice)
    with django_assert_max_num_queries(50) as few:
        client.get(LIST)
    for centre in TrainingCentreFactory.create_batch(20, organisation=alice_org):
        CourseFactory.create(organisation=alice_org, training_centre=centre)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


@pytest.mark.parametrize("persona", ["bob", "rita"])
def test_trainers_and_staff_may_not_see_the_list(
    request, client_for, persona: str, alice_org: Organisation
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(LIST).status_code == 403


@pytest.mark.parametrize("persona", ["carol", "ugo", "tom"])
def test_others_do_not_learn_the_list_exists(
    request, client_for, persona: str, alice_org: Organisation
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(LIST).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client, alice_org: Organisation) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_list_refuses_posts(client_for, alice: User) -> None:
    with assert_unchanged(TrainingCentre):
        assert client_for(alice).post(LIST).status_code == 405


# --- Adding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_owners_and_managers_add_a_training_centre(
    request, client_for, persona: str, alice_org: Organisation
) -> None:
    user = request.getfixturevalue(persona)

    response = client_for(user).post(NEW, VALID, follow=True)

    centre = alice_org.training_centres.get()
    assert (centre.name, centre.city, centre.country.code) == ("Geoskolan Uppsala", "Uppsala", "SE")
    assert (centre.latitude, centre.longitude) == (Decimal("59.858562"), Decimal("17.638927"))
    assert response.redirect_chain[-1][0] == LIST
    assert "“Geoskolan Uppsala” is added." in response.content.decode()
    event = AuditEvent.objects.get(action="training_centre.created")
    assert event.actor == user


def test_the_form_offers_the_organisations_country(client_for, alice: User) -> None:
    response = client_for(alice).get(NEW)

    assert response.status_code == 200
    assert '<option value="SE" selected>' in response.content.decode()
    content = response.content.decode()
    # The map to pick the place, with the inputs it fills.
    assert "data-centre-picker" in content
    assert 'data-latitude-input="id_latitude"' in content
    assert "js/centre-picker.js" in content


def test_coordinates_with_a_comma_and_many_decimals_are_rounded(
    client_for, alice: User, alice_org: Organisation
) -> None:
    client_for(alice).post(NEW, {**VALID, "latitude": "59,85856249", "longitude": "−17.6389274"})

    centre = alice_org.training_centres.get()
    assert (centre.latitude, centre.longitude) == (Decimal("59.858562"), Decimal("-17.638927"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "90.5", "between −90 and 90"),
        ("latitude", "-91", "between −90 and 90"),
        ("longitude", "180.000001", "between −180 and 180"),
        ("longitude", "-200", "between −180 and 180"),
        ("latitude", "59°51′N", "between −90 and 90"),
        ("longitude", "NaN", "between −180 and 180"),
        ("latitude", "", "This field is required."),
        ("name", "", "This field is required."),
        ("country", "XX", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_details(
    client_for, alice: User, alice_org: Organisation, field: str, value: str, message: str
) -> None:
    response = client_for(alice).post(NEW, {**VALID, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="field field-invalid"' in response.content.decode()
    assert not alice_org.training_centres.exists()


def test_a_trainer_may_not_add_a_training_centre(client_for, bob: User, alice_org) -> None:
    assert client_for(bob).post(NEW, VALID).status_code == 403
    assert not alice_org.training_centres.exists()


def test_another_organisation_may_not_add_one(client_for, carol: User, alice_org) -> None:
    assert client_for(carol).post(NEW, VALID).status_code == 404
    assert not alice_org.training_centres.exists()


def test_anonymous_visitors_may_not_add_one(client: Client, alice_org: Organisation) -> None:
    assert client.post(NEW, VALID).status_code == 302
    assert not alice_org.training_centres.exists()


def test_an_organisation_that_is_not_certified_adds_none(
    client_for, alice: User, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    response = client_for(alice).post(NEW, VALID, follow=True)

    assert "Only certified organisations run courses." in response.content.decode()
    assert not alice_org.training_centres.exists()


# --- Editing ---------------------------------------------------------------------------------


def test_owners_edit_a_training_centre(client_for, alice: User, centre: TrainingCentre) -> None:
    response = client_for(alice).post(edit(centre), {**VALID, "name": "Geoskolan City"})

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.name == "Geoskolan City"
    event = AuditEvent.objects.get(action="training_centre.updated")
    assert "name" in event.data["fields"]


def test_the_edit_form_shows_the_saved_details(
    client_for, alice: User, centre: TrainingCentre
) -> None:
    content = client_for(alice).get(edit(centre)).content.decode()

    assert 'value="Geoskolan Stockholm"' in content
    assert 'value="59.332600"' in content


def test_editing_refuses_coordinates_out_of_range(
    client_for, alice: User, centre: TrainingCentre
) -> None:
    response = client_for(alice).post(edit(centre), {**VALID, "latitude": "123"})

    assert "between −90 and 90" in response.content.decode()
    centre.refresh_from_db()
    assert centre.latitude == Decimal("59.332600")


def test_a_trainer_may_not_edit_a_training_centre(
    client_for, bob: User, centre: TrainingCentre
) -> None:
    with assert_unchanged(centre):
        assert client_for(bob).post(edit(centre), VALID).status_code == 403


def test_another_organisations_centre_is_not_found(
    client_for, alice: User, carol_org: Organisation
) -> None:
    centre = TrainingCentreFactory.create(organisation=carol_org)

    assert client_for(alice).get(edit(centre)).status_code == 404
    with assert_unchanged(centre):
        assert client_for(alice).post(delete(centre)).status_code == 404


def test_carol_may_not_edit_alices_centre(client_for, carol: User, centre: TrainingCentre) -> None:
    with assert_unchanged(centre):
        assert client_for(carol).post(edit(centre), VALID).status_code == 404


# --- Deleting --------------------------------------------------------------------------------


def test_deleting_asks_first(client_for, alice: User, centre: TrainingCentre) -> None:
    response = client_for(alice).get(delete(centre))

    assert response.status_code == 200
    assert "Delete “Geoskolan Stockholm” in Stockholm?" in response.content.decode()
    assert TrainingCentre.objects.filter(pk=centre.pk).exists()


def test_owners_delete_an_unused_training_centre(
    client_for, alice: User, centre: TrainingCentre
) -> None:
    response = client_for(alice).post(delete(centre), follow=True)

    assert not TrainingCentre.objects.filter(pk=centre.pk).exists()
    assert "“Geoskolan Stockholm” is deleted." in response.content.decode()
    assert AuditEvent.objects.filter(action="training_centre.deleted").exists()


def test_a_training_centre_with_courses_is_kept(
    client_for, alice: User, centre: TrainingCentre
) -> None:
    CourseFactory.create(organisation=centre.organisation, training_centre=centre)
    client = client_for(alice)

    assert "cannot be deleted" in client.get(delete(centre)).content.decode()
    response = client.post(delete(centre), follow=True)

    assert TrainingCentre.objects.filter(pk=centre.pk).exists()
    assert "Courses take place at this training centre" in response.content.decode()
    assert not AuditEvent.objects.filter(action="training_centre.deleted").exists()


def test_a_trainer_may_not_delete_a_training_centre(
    client_for, bob: User, centre: TrainingCentre
) -> None:
    assert client_for(bob).post(delete(centre)).status_code == 403
    assert TrainingCentre.objects.filter(pk=centre.pk).exists()


def test_anonymous_visitors_may_not_delete(client: Client, centre: TrainingCentre) -> None:
    assert client.post(delete(centre)).status_code == 302
    assert TrainingCentre.objects.filter(pk=centre.pk).exists()


def test_an_unknown_centre_is_not_found(client_for, alice: User) -> None:
    assert (
        client_for(alice).get(f"{LIST}00000000-0000-0000-0000-000000000000/edit/").status_code
        == 404
    )
    assert client_for(alice).get(f"{LIST}1/edit/").status_code == 404
