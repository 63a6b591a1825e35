import datetime

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import Course, CourseType, Trainer, TrainingCentre
from certification.training.tests.factories import (
    AttendeeFactory,
    CourseFactory,
    CourseTypeFactory,
    TrainerFactory,
    TrainingCentreFactory,
    give_certificate,
)

pytestmark = pytest.mark.django_db

LIST = "/dashboard/organisations/geoskolan/courses/"
NEW = LIST + "new/"
IN_A_MONTH = datetime.date.today() + datetime.timedelta(days=30)


def detail(course: Course) -> str:
    return f"{LIST}{course.public_id}/"


def edit(course: Course) -> str:
    return f"{detail(course)}edit/"


def delete(course: Course) -> str:
    return f"{detail(course)}delete/"


@pytest.fixture
def course_type(alice_org: Organisation) -> CourseType:
    return CourseTypeFactory.create(
        organisation=alice_org, title="QGIS for beginners", status=CourseType.Status.APPROVED
    )


@pytest.fixture
def centre(alice_org: Organisation) -> TrainingCentre:
    return TrainingCentreFactory.create(organisation=alice_org, name="Geoskolan Stockholm")


@pytest.fixture
def karin(alice_org: Organisation) -> Trainer:
    return TrainerFactory.create(organisation=alice_org, name="Karin Lund")


@pytest.fixture
def bob_trainer(alice_org: Organisation, bob: User) -> Trainer:
    return TrainerFactory.create(organisation=alice_org, name="Bob Berg", user=bob)


@pytest.fixture
def course(alice_org, course_type, centre, karin) -> Course:
    return CourseFactory.create(
        organisation=alice_org, course_type=course_type, training_centre=centre, trainers=[karin]
    )


@pytest.fixture
def valid(course_type, centre, karin) -> dict:
    return {
        "course_type": course_type.pk,
        "starts_on": IN_A_MONTH.isoformat(),
        "ends_on": (IN_A_MONTH + datetime.timedelta(days=2)).isoformat(),
        "language": "sv",
        "trainers": [karin.pk],
        "training_centre": centre.pk,
        "is_public": "on",
        "capacity": "12",
        "registration_url": "https://geoskolan.example.org/anmalan",
    }


# --- The list ------------------------------------------------------------------------------


def test_managers_see_every_upcoming_course(
    client_for, alice: User, course: Course, carol_org: Organisation
) -> None:
    AttendeeFactory.create_batch(3, course=course)
    CourseFactory.create(organisation=carol_org, course_type__title="Carol's course")

    response = client_for(alice).get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{detail(course)}">QGIS for beginners</a>' in content
    assert "Geoskolan Stockholm, Stockholm" in content
    assert "Karin Lund" in content
    assert "Carol" not in content
    assert f'href="{NEW}"' in content


def test_past_courses_have_their_own_tab(client_for, alice: User, alice_org, course) -> None:
    past = CourseFactory.create(
        organisation=alice_org,
        starts_on=datetime.date(2024, 5, 2),
        ends_on=datetime.date(2024, 5, 3),
        course_type__title="Old course",
    )
    client = client_for(alice)

    upcoming = client.get(LIST).content.decode()
    earlier = client.get(LIST + "?show=past").content.decode()

    assert detail(course) in upcoming
    assert detail(past) not in upcoming
    assert detail(past) in earlier
    assert detail(course) not in earlier


def test_it_says_when_there_are_no_courses(client_for, alice: User) -> None:
    assert "No upcoming courses." in client_for(alice).get(LIST).content.decode()


def test_a_trainer_sees_only_the_courses_they_teach(
    client_for, bob: User, bob_trainer: Trainer, alice_org: Organisation, course: Course
) -> None:
    taught = CourseFactory.create(organisation=alice_org, trainers=[bob_trainer])

    response = client_for(bob).get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert detail(taught) in content
    assert detail(course) not in content
    assert NEW not in content


def test_a_trainer_without_a_linked_trainer_sees_no_courses(
    client_for, bob: User, course: Course
) -> None:
    content = client_for(bob).get(LIST).content.decode()

    assert "You teach no upcoming courses." in content
    assert detail(course) not in content


def test_the_list_pages_by_25_in_a_bounded_number_of_queries(
    client_for, alice: User, alice_org: Organisation, karin: Trainer
) -> None:
    client = client_for(alice)
    for _ in range(3):
        AttendeeFactory.create_batch(
            2, course=CourseFactory.create(organisation=alice_org, trainers=[karin])
        )
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(30):
        AttendeeFactory.create_batch(
            2, course=CourseFactory.create(organisation=alice_org, trainers=[karin])
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count('<th scope="row">') == 25
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("rita", 403), ("carol", 404), ("ugo", 404), ("tom", 404)]
)
def test_others_do_not_see_the_courses(
    request, client_for, alice_org: Organisation, persona: str, status: int
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(LIST).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client: Client, alice_org: Organisation) -> None:
    assert client.get(LIST).status_code == 302


def test_the_list_refuses_posts(client_for, alice: User) -> None:
    with assert_unchanged(Course):
        assert client_for(alice).post(LIST).status_code == 405


# --- Scheduling --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_owners_and_managers_schedule_a_course(
    request, client_for, persona: str, alice_org: Organisation, valid: dict, karin: Trainer
) -> None:
    user = request.getfixturevalue(persona)

    response = client_for(user).post(NEW, valid)

    course = alice_org.courses.get()
    assert response.status_code == 302
    assert response["Location"] == detail(course)
    assert course.starts_on == IN_A_MONTH
    assert course.ends_on == IN_A_MONTH + datetime.timedelta(days=2)
    assert (course.language, course.capacity, course.is_public, course.online) == (
        "sv",
        12,
        True,
        False,
    )
    assert course.registration_url == "https://geoskolan.example.org/anmalan"
    assert list(course.trainers.all()) == [karin]
    assert course.created_by == user
    assert AuditEvent.objects.get(action="course.created").actor == user


def test_an_online_private_course(client_for, alice: User, alice_org, valid: dict) -> None:
    data = {**valid, "training_centre": "", "online": "on", "capacity": "", "registration_url": ""}
    del data["is_public"]

    response = client_for(alice).post(NEW, data)

    assert response.status_code == 302
    course = alice_org.courses.get()
    assert (course.online, course.training_centre, course.is_public, course.capacity) == (
        True,
        None,
        False,
        None,
    )


def test_the_form_offers_only_approved_course_types_of_the_organisation(
    client_for, alice: User, alice_org, carol_org, course_type
) -> None:
    CourseTypeFactory.create(organisation=alice_org, title="Draft type", status="draft")
    CourseTypeFactory.create(organisation=alice_org, title="Proposed type", status="proposed")
    CourseTypeFactory.create(organisation=carol_org, title="Carol type", status="approved")

    content = client_for(alice).get(NEW).content.decode()

    assert "QGIS for beginners" in content
    assert "Draft type" not in content
    assert "Proposed type" not in content
    assert "Carol type" not in content


def test_the_form_says_when_there_is_nothing_to_schedule(client_for, alice: User) -> None:
    content = client_for(alice).get(NEW).content.decode()

    assert "You have no approved course types yet." in content
    assert "Add your trainers first." in content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"ends_on": (IN_A_MONTH - datetime.timedelta(days=1)).isoformat()},
            "The last day cannot be before the first day.",
        ),
        ({"online": "on"}, "not both"),
        ({"training_centre": ""}, "Choose a training centre, or tick “Online course”."),
        (
            {"registration_url": "javascript:alert(1)"},
            "Give a link that starts with http:// or https://.",
        ),
        (
            {"registration_url": "ftp://example.org/x"},
            "Give a link that starts with http:// or https://.",
        ),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"trainers": []}, "Choose at least one trainer."),
        ({"language": "xx"}, "Select a valid choice."),
        ({"starts_on": "next week"}, "Enter a valid date."),
        ({"course_type": ""}, "This field is required."),
    ],
)
def test_it_refuses_bad_details(
    client_for, alice: User, alice_org, valid: dict, change: dict, message: str
) -> None:
    response = client_for(alice).post(NEW, {**valid, **change})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Constraint" not in response.content.decode()
    assert not alice_org.courses.exists()


def test_an_empty_form_says_what_is_missing(client_for, alice: User, alice_org) -> None:
    content = client_for(alice).post(NEW, {}).content.decode()

    assert content.count("This field is required.") == 4  # type, two dates, language
    assert "Choose at least one trainer." in content
    assert "Choose a training centre, or tick “Online course”." in content
    assert "Constraint" not in content


@pytest.mark.parametrize("status", ["draft", "proposed", "rejected", "retired"])
def test_it_refuses_a_course_type_that_is_not_approved(
    client_for, alice: User, alice_org, valid: dict, status: str
) -> None:
    other = CourseTypeFactory.create(organisation=alice_org, status=status)

    response = client_for(alice).post(NEW, {**valid, "course_type": other.pk})

    assert (
        "Choose one of your organisation&#x27;s approved course types." in response.content.decode()
    )
    assert not alice_org.courses.exists()


@pytest.mark.parametrize(
    ("field", "make", "message"),
    [
        (
            "course_type",
            lambda org: CourseTypeFactory.create(organisation=org, status="approved").pk,
            "approved course types",
        ),
        (
            "training_centre",
            lambda org: TrainingCentreFactory.create(organisation=org).pk,
            "training centres",
        ),
        ("trainers", lambda org: [TrainerFactory.create(organisation=org).pk], "own trainers"),
    ],
)
def test_it_refuses_another_organisations_rows(
    client_for, alice: User, alice_org, carol_org, valid: dict, field: str, make, message: str
) -> None:
    response = client_for(alice).post(NEW, {**valid, field: make(carol_org)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Course.objects.exists()


def test_a_trainer_may_not_schedule_courses(client_for, bob: User, alice_org, valid: dict) -> None:
    assert client_for(bob).get(NEW).status_code == 403
    assert client_for(bob).post(NEW, valid).status_code == 403
    assert not alice_org.courses.exists()


def test_another_organisation_may_not_schedule_courses(
    client_for, carol: User, alice_org, valid: dict
) -> None:
    assert client_for(carol).post(NEW, valid).status_code == 404
    assert not Course.objects.exists()


def test_anonymous_visitors_may_not_schedule_courses(client: Client, alice_org, valid) -> None:
    assert client.post(NEW, valid).status_code == 302
    assert not Course.objects.exists()


def test_an_organisation_that_is_not_certified_schedules_none(
    client_for, alice: User, alice_org: Organisation, valid: dict
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    response = client_for(alice).post(NEW, valid, follow=True)

    assert "Only certified organisations run courses." in response.content.decode()
    assert not alice_org.courses.exists()


# --- The course page ---------------------------------------------------------------------------


def test_the_course_page_shows_the_course_and_its_attendees(
    client_for, alice: User, course: Course
) -> None:
    anna = AttendeeFactory.create(course=course, name="Anna Åberg", email="anna@example.org")
    AttendeeFactory.create(course=course, name="Erik Öberg")
    certificate = give_certificate(anna)

    response = client_for(alice).get(detail(course))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>QGIS for beginners" in content
    assert "Karin Lund" in content
    assert "Swedish" in content
    assert "Geoskolan Stockholm" in content
    assert "Anna Åberg" in content
    assert "Erik Öberg" in content
    assert certificate.code in content
    assert "Valid" in content
    assert "Not issued" in content
    for name in ("attendee_add", "attendee_import", "attendee_export_csv", "attendee_export_xlsx"):
        assert f"{detail(course)}attendees/" in content, name
    assert f'href="{edit(course)}"' in content
    assert "certificates/_course_panel.html" not in content


def test_the_course_page_runs_the_same_queries_with_ten_times_the_attendees(
    client_for, alice: User, course: Course
) -> None:
    for attendee in AttendeeFactory.create_batch(5, course=course):
        give_certificate(attendee)
    client = client_for(alice)
    with CaptureQueriesContext(connection) as few:
        client.get(detail(course))
    for attendee in AttendeeFactory.create_batch(50, course=course):
        give_certificate(attendee, status="revoked")
        give_certificate(attendee)

    with CaptureQueriesContext(connection) as many:
        response = client.get(detail(course))

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_course_page_adds_the_panels_other_apps_register(
    client_for, alice: User, course: Course, monkeypatch
) -> None:
    from certification.training.views import courses as course_views

    seen = []

    def panel(request: HttpRequest, panel_course: Course) -> dict[str, int]:
        seen.append(panel_course)
        return {"extra": 1}

    monkeypatch.setattr(course_views, "course_page_panels", [panel])

    response = client_for(alice).get(detail(course))

    assert response.status_code == 200
    assert seen == [course]
    assert response.context["extra"] == 1


def test_a_trainer_reads_the_courses_they_teach(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    course.trainers.add(bob_trainer)

    response = client_for(bob).get(detail(course))

    assert response.status_code == 200
    content = response.content.decode()
    assert edit(course) not in content
    assert delete(course) not in content
    assert f"{detail(course)}attendees/new/" in content


def test_a_trainer_may_not_read_courses_they_do_not_teach(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    assert client_for(bob).get(detail(course)).status_code == 403


def test_carol_does_not_see_alices_course(client_for, carol: User, course: Course) -> None:
    assert client_for(carol).get(detail(course)).status_code == 404


def test_another_organisations_course_is_not_found(
    client_for, alice: User, carol_org: Organisation
) -> None:
    other = CourseFactory.create(organisation=carol_org)

    assert client_for(alice).get(detail(other)).status_code == 404
    assert client_for(alice).get(f"{LIST}{other.pk}/").status_code == 404


def test_anonymous_visitors_do_not_see_courses(client: Client, course: Course) -> None:
    assert client.get(detail(course)).status_code == 302


def test_the_course_page_refuses_posts(client_for, alice: User, course: Course) -> None:
    with assert_unchanged(course):
        assert client_for(alice).post(detail(course)).status_code == 405


# --- Editing ---------------------------------------------------------------------------------


def test_owners_edit_a_course(
    client_for, alice: User, course: Course, valid: dict, bob_trainer
) -> None:
    response = client_for(alice).post(
        edit(course),
        {
            **valid,
            "language": "en",
            "trainers": [bob_trainer.pk],
            "training_centre": "",
            "online": "on",
        },
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.language, course.online, course.training_centre) == ("en", True, None)
    assert list(course.trainers.all()) == [bob_trainer]
    event = AuditEvent.objects.get(action="course.updated")
    assert {"language", "online", "training_centre", "trainers"} <= set(event.data["fields"])


def test_saving_an_unchanged_course_records_nothing(
    client_for, alice: User, course: Course, valid: dict
) -> None:
    data = {
        **valid,
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
    }
    del data["is_public"]
    data.update({"is_public": "on", "capacity": "", "registration_url": "", "language": "sv"})

    response = client_for(alice).post(edit(course), data)

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="course.updated").exists()


def test_the_edit_form_shows_the_saved_course(client_for, alice: User, course: Course) -> None:
    content = client_for(alice).get(edit(course)).content.decode()

    assert f'value="{course.starts_on.isoformat()}"' in content
    assert "Certificates already issued keep the details printed on them." in content


def test_a_course_keeps_its_type_once_the_type_is_retired(
    client_for, alice: User, course: Course, valid: dict
) -> None:
    CourseType.objects.filter(pk=course.course_type_id).update(status="retired")

    response = client_for(alice).post(edit(course), {**valid, "capacity": "20"})

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.capacity == 20


def test_editing_refuses_the_last_day_before_the_first(
    client_for, alice: User, course: Course, valid: dict
) -> None:
    response = client_for(alice).post(
        edit(course), {**valid, "ends_on": (IN_A_MONTH - datetime.timedelta(days=3)).isoformat()}
    )

    assert "The last day cannot be before the first day." in response.content.decode()


def test_a_trainer_of_the_course_may_not_edit_it(
    client_for, bob: User, bob_trainer: Trainer, course: Course, valid: dict
) -> None:
    course.trainers.add(bob_trainer)

    assert client_for(bob).get(edit(course)).status_code == 403
    with assert_unchanged(course):
        assert client_for(bob).post(edit(course), {**valid, "capacity": "99"}).status_code == 403
    course.refresh_from_db()
    assert course.capacity is None


def test_carol_may_not_edit_alices_course(client_for, carol: User, course: Course, valid) -> None:
    with assert_unchanged(course):
        assert client_for(carol).post(edit(course), valid).status_code == 404


def test_anonymous_visitors_may_not_edit_courses(client: Client, course: Course, valid) -> None:
    with assert_unchanged(course):
        assert client.post(edit(course), valid).status_code == 302


# --- Deleting --------------------------------------------------------------------------------


def test_owners_delete_a_course_with_its_attendees(client_for, alice: User, course: Course) -> None:
    AttendeeFactory.create_batch(2, course=course)
    client = client_for(alice)
    assert "Its 2 attendees are removed too." in client.get(delete(course)).content.decode()

    response = client.post(delete(course))

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Course.objects.filter(pk=course.pk).exists()
    assert AuditEvent.objects.filter(action="course.deleted").exists()


def test_a_course_with_certificates_is_kept(client_for, alice: User, course: Course) -> None:
    give_certificate(AttendeeFactory.create(course=course), status="revoked")
    client = client_for(alice)

    assert "it cannot be deleted" in client.get(delete(course)).content.decode()
    response = client.post(delete(course), follow=True)

    assert Course.objects.filter(pk=course.pk).exists()
    assert course.attendees.count() == 1
    assert "Certificates were issued for this course" in response.content.decode()
    assert not AuditEvent.objects.filter(action="course.deleted").exists()


def test_a_trainer_may_not_delete_a_course(
    client_for, bob: User, bob_trainer: Trainer, course: Course
) -> None:
    course.trainers.add(bob_trainer)

    assert client_for(bob).post(delete(course)).status_code == 403
    assert Course.objects.filter(pk=course.pk).exists()


def test_carol_may_not_delete_alices_course(client_for, carol: User, course: Course) -> None:
    assert client_for(carol).post(delete(course)).status_code == 404
    assert Course.objects.filter(pk=course.pk).exists()


def test_anonymous_visitors_may_not_delete_courses(client: Client, course: Course) -> None:
    assert client.post(delete(course)).status_code == 302
    assert Course.objects.filter(pk=course.pk).exists()
