"""The training services check their own rules: no caller (a view, the API, a shell) can go
around them. Each refusal leaves everything as it was."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.organisations.models import Organisation
from certification.training import services
from certification.training.models import (
    Attendee,
    Course,
    CourseMaterial,
    CourseType,
    Trainer,
    TrainingCentre,
)
from certification.training.tests.factories import (
    AttendeeFactory,
    CourseFactory,
    CourseMaterialFactory,
    CourseTypeFactory,
    TrainerFactory,
    TrainingCentreFactory,
)

pytestmark = pytest.mark.django_db


def refused(call: Callable[[], object]) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        call()
    assert AuditEvent.objects.count() == events


def test_only_managers_draft_and_change_course_types(
    alice_org: Organisation, bob: User, carol: User
) -> None:
    draft = CourseTypeFactory.create(organisation=alice_org, title="QGIS basics")
    material = CourseMaterialFactory.create(course_type=draft, link=True)

    refused(
        lambda: services.create_course_type(
            alice_org, CourseType(title="New", hours=7, qgis_version="3.40"), by=bob
        )
    )
    draft.title = "Changed"
    refused(lambda: services.update_course_type(draft, by=carol, fields=["title"]))
    refused(
        lambda: services.add_course_type_material(
            draft, by=bob, kind="exercise", title="Link", url="https://example.org/x"
        )
    )
    refused(lambda: services.remove_course_type_material(material, by=carol))

    assert list(alice_org.course_types.all()) == [draft]
    draft.refresh_from_db()
    assert draft.title == "QGIS basics"
    assert list(CourseMaterial.objects.all()) == [material]


def test_only_managers_propose_and_only_the_team_reviews(
    alice_org: Organisation, alice: User, bob: User
) -> None:
    draft = CourseTypeFactory.create(organisation=alice_org)
    CourseMaterialFactory.create(course_type=draft, link=True)
    proposed = CourseTypeFactory.create(organisation=alice_org, status=CourseType.Status.PROPOSED)

    refused(lambda: services.propose_course_type(draft, by=bob))
    refused(lambda: services.review_course_type(proposed, by=alice, approve=True, comment=""))

    draft.refresh_from_db()
    proposed.refresh_from_db()
    assert (draft.status, proposed.status) == (CourseType.Status.DRAFT, CourseType.Status.PROPOSED)


def test_only_managers_change_centres_trainers_and_courses(
    alice_org: Organisation, bob: User, carol: User
) -> None:
    centre = TrainingCentreFactory.create(organisation=alice_org)
    trainer = TrainerFactory.create(organisation=alice_org)
    course = CourseFactory.create(
        organisation=alice_org, training_centre=centre, trainers=[trainer]
    )
    new_centre = TrainingCentre(
        name="Annex",
        address="Storgatan 2",
        city="Uppsala",
        country="SE",
        latitude=Decimal("59.858"),
        longitude=Decimal("17.638"),
    )
    new_course = Course(
        course_type=course.course_type,
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
        language="sv",
        online=True,
    )

    refused(lambda: services.add_training_centre(alice_org, new_centre, by=bob))
    refused(lambda: services.update_training_centre(centre, by=carol, fields=["name"]))
    refused(lambda: services.delete_training_centre(centre, by=bob))
    refused(lambda: services.add_trainer(alice_org, Trainer(name="Tess"), by=carol))
    refused(lambda: services.update_trainer(trainer, by=bob, fields=["name"]))
    refused(lambda: services.delete_trainer(trainer, by=carol))
    refused(lambda: services.create_course(alice_org, new_course, trainers=[trainer], by=bob))
    refused(lambda: services.update_course(course, trainers=[], fields=[], by=carol))
    refused(lambda: services.delete_course(course, by=bob))

    assert list(alice_org.training_centres.all()) == [centre]
    assert list(alice_org.trainers.all()) == [trainer]
    assert list(alice_org.courses.all()) == [course]
    assert list(course.trainers.all()) == [trainer]


def test_only_managers_and_the_course_s_trainers_change_its_attendees(
    alice_org: Organisation, bob: User, carol: User
) -> None:
    course = CourseFactory.create(organisation=alice_org)
    attendee = AttendeeFactory.create(course=course, name="Anna Åberg", email="anna@example.org")

    # Bob is a trainer of the organisation, but not of this course.
    refused(lambda: services.add_attendee(course, name="Erik", email="e@example.org", by=bob))
    refused(
        lambda: services.update_attendee(attendee, name="Anna", email="a@example.org", by=carol)
    )
    refused(lambda: services.remove_attendee(attendee, by=bob))
    refused(lambda: services.import_attendees(course, [("Erik", "e@example.org")], by=carol))

    assert list(Attendee.objects.values_list("name", "email")) == [
        ("Anna Åberg", "anna@example.org")
    ]


def test_a_course_s_own_trainer_adds_its_attendees(alice_org: Organisation, bob: User) -> None:
    course = CourseFactory.create(
        organisation=alice_org, trainers=[TrainerFactory.create(organisation=alice_org, user=bob)]
    )

    attendee = services.add_attendee(course, name="Erik Öberg", email="erik@example.org", by=bob)

    assert list(course.attendees.all()) == [attendee]
