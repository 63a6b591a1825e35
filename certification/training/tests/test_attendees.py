import pytest
from django.test import Client

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.training.models import Attendee, Course, Trainer
from certification.training.tests.factories import (
    AttendeeFactory,
    CourseFactory,
    TrainerFactory,
    give_certificate,
)

pytestmark = pytest.mark.django_db

VALID = {"name": "Zoë Ångström", "email": "zoe@example.org"}


def course_url(course: Course) -> str:
    return f"/dashboard/organisations/{course.organisation.slug}/courses/{course.public_id}/"


def add(course: Course) -> str:
    return f"{course_url(course)}attendees/new/"


def edit(attendee: Attendee) -> str:
    return f"{course_url(attendee.course)}attendees/{attendee.public_id}/edit/"


def remove(attendee: Attendee) -> str:
    return f"{course_url(attendee.course)}attendees/{attendee.public_id}/remove/"


@pytest.fixture
def bob_trainer(alice_org: Organisation, bob: User) -> Trainer:
    return TrainerFactory.create(organisation=alice_org, name="Bob Berg", user=bob)


@pytest.fixture
def course(alice_org: Organisation) -> Course:
    return CourseFactory.create(organisation=alice_org)


@pytest.fixture
def bobs_course(alice_org: Organisation, bob_trainer: Trainer) -> Course:
    return CourseFactory.create(organisation=alice_org, trainers=[bob_trainer])


@pytest.fixture
def anna(course: Course) -> Attendee:
    return AttendeeFactory.create(course=course, name="Anna Åberg", email="anna@example.org")


# --- Adding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_owners_and_managers_add_an_attendee(
    request, client_for, persona: str, course: Course
) -> None:
    user = request.getfixturevalue(persona)

    response = client_for(user).post(
        add(course), {"name": "  Zoë Ångström ", "email": " zoe@example.org "}
    )

    assert response.status_code == 302
    assert response["Location"] == course_url(course)
    attendee = course.attendees.get()
    assert (attendee.name, attendee.email) == ("Zoë Ångström", "zoe@example.org")
    event = AuditEvent.objects.get(action="attendee.added")
    assert event.actor == user


def test_add_and_add_another_comes_back_to_the_form(
    client_for, alice: User, course: Course
) -> None:
    response = client_for(alice).post(add(course), {**VALID, "another": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == add(course)
    assert "Zoë Ångström is on the course." in response.content.decode()


def test_the_trainer_of_the_course_adds_attendees(
    client_for, bob: User, bobs_course: Course
) -> None:
    client = client_for(bob)
    assert client.get(add(bobs_course)).status_code == 200

    response = client.post(add(bobs_course), VALID)

    assert response.status_code == 302
    assert bobs_course.attendees.get().name == "Zoë Ångström"


def test_a_trainer_may_not_add_attendees_to_other_courses(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    assert client_for(bob).post(add(course), VALID).status_code == 403
    assert not course.attendees.exists()


def test_a_trainer_who_left_the_organisation_adds_nobody(
    client_for, bob: User, bobs_course: Course
) -> None:
    Membership.objects.filter(user=bob).delete()

    assert client_for(bob).post(add(bobs_course), VALID).status_code == 404
    assert not bobs_course.attendees.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "   ", "email": "zoe@example.org"}, "The name is missing."),
        (
            {"name": "Z" * 201, "email": "zoe@example.org"},
            "The name is longer than 200 characters.",
        ),
        ({"name": "Zoë\nÅngström", "email": "zoe@example.org"}, "control character"),
        ({"name": "Zoë", "email": "zoe@"}, "is not a valid email address."),
        ({"name": "Zoë", "email": ""}, "This field is required."),
    ],
)
def test_it_refuses_bad_details(
    client_for, alice: User, course: Course, data: dict, message: str
) -> None:
    response = client_for(alice).post(add(course), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not course.attendees.exists()


def test_a_name_of_exactly_200_characters_is_fine(client_for, alice: User, course: Course) -> None:
    client_for(alice).post(add(course), {"name": "Å" * 200, "email": "zoe@example.org"})

    assert course.attendees.get().name == "Å" * 200


def test_the_same_email_is_on_a_course_once(
    client_for, alice: User, course: Course, anna: Attendee
) -> None:
    response = client_for(alice).post(add(course), {"name": "Anna B", "email": "ANNA@example.org"})

    assert "Someone with this email is already on the course." in response.content.decode()
    assert course.attendees.count() == 1


def test_another_course_may_have_the_same_email(
    client_for, alice: User, alice_org, anna: Attendee
) -> None:
    other = CourseFactory.create(organisation=alice_org)

    client_for(alice).post(add(other), {"name": "Anna Åberg", "email": "anna@example.org"})

    assert other.attendees.count() == 1


def test_carol_may_not_add_attendees(client_for, carol: User, course: Course) -> None:
    assert client_for(carol).post(add(course), VALID).status_code == 404
    assert not course.attendees.exists()


@pytest.mark.parametrize("persona", ["rita", "tom"])
def test_staff_may_not_add_attendees(request, client_for, persona: str, course: Course) -> None:
    assert client_for(request.getfixturevalue(persona)).post(add(course), VALID).status_code in (
        403,
        404,
    )
    assert not course.attendees.exists()


def test_anonymous_visitors_may_not_add_attendees(client: Client, course: Course) -> None:
    assert client.post(add(course), VALID).status_code == 302
    assert not course.attendees.exists()


def test_a_suspended_organisation_adds_nobody(
    client_for, alice: User, alice_org: Organisation, course: Course
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    response = client_for(alice).post(add(course), VALID, follow=True)

    assert "Only certified organisations run courses." in response.content.decode()
    assert not course.attendees.exists()


# --- Editing ---------------------------------------------------------------------------------


def test_owners_correct_a_name(client_for, alice: User, anna: Attendee) -> None:
    client = client_for(alice)
    assert 'value="Anna Åberg"' in client.get(edit(anna)).content.decode()

    response = client.post(edit(anna), {"name": "Anna Åberg-Lind", "email": "anna@example.org"})

    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.name == "Anna Åberg-Lind"
    assert AuditEvent.objects.get(action="attendee.updated").data == {"fields": ["name"]}


def test_the_trainer_of_the_course_edits_its_attendees(
    client_for, bob: User, bobs_course: Course
) -> None:
    attendee = AttendeeFactory.create(course=bobs_course)

    client_for(bob).post(edit(attendee), {"name": "New Name", "email": attendee.email})

    attendee.refresh_from_db()
    assert attendee.name == "New Name"


def test_editing_refuses_an_email_already_on_the_course(
    client_for, alice: User, anna: Attendee
) -> None:
    other = AttendeeFactory.create(course=anna.course, email="other@example.org")

    response = client_for(alice).post(
        edit(other), {"name": other.name, "email": "Anna@Example.org"}
    )

    assert "Someone with this email is already on the course." in response.content.decode()


def test_editing_refuses_an_empty_name(client_for, alice: User, anna: Attendee) -> None:
    response = client_for(alice).post(edit(anna), {"name": " ", "email": "anna@example.org"})

    assert "The name is missing." in response.content.decode()


def test_an_attendee_with_a_certificate_is_not_edited_here(
    client_for, alice: User, anna: Attendee
) -> None:
    give_certificate(anna)

    response = client_for(alice).post(
        edit(anna), {"name": "Other", "email": "x@example.org"}, follow=True
    )

    anna.refresh_from_db()
    assert anna.name == "Anna Åberg"
    assert "re-issuing the certificate" in response.content.decode()


def test_a_trainer_may_not_edit_attendees_of_other_courses(
    client_for, bob: User, bob_trainer: Trainer, anna: Attendee
) -> None:
    with assert_unchanged(anna):
        assert (
            client_for(bob).post(edit(anna), {"name": "X", "email": "x@example.org"}).status_code
            == 403
        )


def test_carol_may_not_edit_alices_attendees(client_for, carol: User, anna: Attendee) -> None:
    with assert_unchanged(anna):
        assert client_for(carol).post(edit(anna), VALID).status_code == 404


def test_an_attendee_of_another_course_is_not_found(
    client_for, alice: User, alice_org, anna: Attendee
) -> None:
    other = CourseFactory.create(organisation=alice_org)
    url = f"{course_url(other)}attendees/{anna.public_id}/edit/"

    assert client_for(alice).get(url).status_code == 404


def test_anonymous_visitors_may_not_edit_attendees(client: Client, anna: Attendee) -> None:
    with assert_unchanged(anna):
        assert client.post(edit(anna), VALID).status_code == 302


# --- Removing --------------------------------------------------------------------------------


def test_owners_remove_an_attendee(client_for, alice: User, anna: Attendee) -> None:
    client = client_for(alice)
    assert (
        "Remove <bdi>Anna Åberg</bdi> (anna@example.org)"
        in client.get(remove(anna)).content.decode()
    )

    response = client.post(remove(anna), follow=True)

    assert not Attendee.objects.filter(pk=anna.pk).exists()
    assert "Anna Åberg is removed from the course." in response.content.decode()
    assert AuditEvent.objects.filter(action="attendee.removed").exists()


def test_an_attendee_with_a_certificate_stays(client_for, alice: User, anna: Attendee) -> None:
    give_certificate(anna, status="revoked")
    client = client_for(alice)

    assert "so they stay on the course" in client.get(remove(anna)).content.decode()
    response = client.post(remove(anna), follow=True)

    assert Attendee.objects.filter(pk=anna.pk).exists()
    assert "A certificate was issued to this attendee" in response.content.decode()


def test_the_trainer_of_the_course_removes_attendees(
    client_for, bob: User, bobs_course: Course
) -> None:
    attendee = AttendeeFactory.create(course=bobs_course)

    client_for(bob).post(remove(attendee))

    assert not Attendee.objects.filter(pk=attendee.pk).exists()


def test_a_trainer_may_not_remove_attendees_of_other_courses(
    client_for, bob: User, bob_trainer: Trainer, anna: Attendee
) -> None:
    assert client_for(bob).post(remove(anna)).status_code == 403
    assert Attendee.objects.filter(pk=anna.pk).exists()


def test_carol_may_not_remove_alices_attendees(client_for, carol: User, anna: Attendee) -> None:
    assert client_for(carol).post(remove(anna)).status_code == 404
    assert Attendee.objects.filter(pk=anna.pk).exists()


def test_anonymous_visitors_may_not_remove_attendees(client: Client, anna: Attendee) -> None:
    assert client.post(remove(anna)).status_code == 302
    assert Attendee.objects.filter(pk=anna.pk).exists()


def test_the_course_page_offers_edit_and_remove_only_without_a_certificate(
    client_for, alice: User, anna: Attendee
) -> None:
    erik = AttendeeFactory.create(course=anna.course, name="Erik")
    give_certificate(anna)

    content = client_for(alice).get(course_url(anna.course)).content.decode()

    assert edit(erik) in content
    assert remove(erik) in content
    assert edit(anna) not in content
    assert remove(anna) not in content
