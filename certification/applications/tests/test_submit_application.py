import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import override_settings

from certification.applications import services
from certification.applications.models import Application, Snapshot, Status
from certification.applications.services import ApplicationError
from certification.applications.tests.factories import (
    draft_through_services,
    owner_of,
    submitted_through_services,
)
from certification.core.models import AuditEvent
from certification.organisations.models import Membership, Organisation
from certification.training.models import CourseMaterial
from certification.training.tests.factories import PDF

pytestmark = pytest.mark.django_db


def test_starting_an_application_creates_the_organisation_with_its_owner(alice) -> None:
    application = services.start_application(
        by=alice, details={"legal_name": "Nya Kartor AB", "country": "SE"}
    )

    organisation = application.organisation
    assert organisation.status == Organisation.Status.APPLICANT
    assert organisation.slug == "nya-kartor-ab"
    assert Membership.objects.get(organisation=organisation).role == Membership.Role.OWNER
    assert application.status == Status.DRAFT
    assert application.code.startswith("APP-")
    assert len(application.code) == 12


def test_an_organisation_has_one_open_application_at_a_time(alice) -> None:
    application = draft_through_services(alice)

    with pytest.raises(ApplicationError, match="already has an application in progress"):
        services.start_application(by=alice, organisation=application.organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(organisation=application.organisation)


def test_submitting_freezes_a_version_and_tells_applicant_and_team(
    rita, django_capture_on_commit_callbacks
) -> None:
    application = draft_through_services()

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(application, by=owner_of(application))

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.review_round == 1
    snapshot = Snapshot.objects.get(application=application)
    assert snapshot.data["organisation"]["legal_name"] == "Kartakademin AB"
    assert snapshot.data["course_types"][0]["materials"][0]["file"] == "slides.pdf"
    assert (
        AuditEvent.objects.for_object(application).filter(action="application.submitted").exists()
    )
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == [application.created_by.email, "rita@example.org"]


def test_an_incomplete_application_says_what_is_missing(alice) -> None:
    application = services.start_application(
        by=alice, details={"legal_name": "Halvfärdig AB", "country": "SE"}
    )

    missing = application.missing_for_submission()
    assert len(missing) == 5
    with pytest.raises(ApplicationError, match="not complete yet"):
        services.submit_application(application, by=alice)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_course_type_without_material_is_missing(alice) -> None:
    application = draft_through_services(alice)
    CourseMaterial.objects.all().delete()

    assert [str(item) for item in application.missing_for_submission()] == [
        "Training material for the course type “QGIS for beginners”."
    ]


def test_a_submitted_application_can_no_longer_be_edited(alice) -> None:
    application = submitted_through_services(alice)

    with pytest.raises(ApplicationError, match="can no longer be edited"):
        services.accept_declaration(application, by=alice)
    with pytest.raises(ApplicationError, match="Only a draft"):
        services.submit_application(application, by=alice)


def test_material_is_checked_by_content(alice) -> None:
    application = draft_through_services(alice)
    course_type = application.course_types.get()

    with pytest.raises(ApplicationError, match=r"not a valid \.pdf"):
        services.add_material(
            application,
            course_type,
            by=alice,
            kind="lecture",
            title="Fake",
            upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert course_type.materials.count() == 1


@override_settings(APPLICATION_MAX_TOTAL_MB=1)
def test_material_stays_within_the_application_quota(alice) -> None:
    application = draft_through_services(alice)
    course_type = application.course_types.get()
    big = PDF + b"0" * 1_000_000

    with pytest.raises(ApplicationError, match="at most 1 MB in all"):
        services.add_material(
            application,
            course_type,
            by=alice,
            kind="lecture",
            title="Big",
            upload=SimpleUploadedFile("big.pdf", big),
        )


def test_file_names_are_neutralised(alice) -> None:
    application = draft_through_services(alice)
    course_type = application.course_types.get()

    material = services.add_material(
        application,
        course_type,
        by=alice,
        kind="data",
        title="Data",
        upload=SimpleUploadedFile("../../etc/pässwd <script>.pdf", PDF),
    )

    assert material.original_name == "passwd_script.pdf"
    assert "/etc/" not in str(material.file.name)


def test_withdrawing_closes_the_application(alice) -> None:
    application = submitted_through_services(alice)

    services.withdraw_application(application, by=alice, reason="Not ready yet")

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert application.closed_at is not None
    with pytest.raises(ApplicationError, match="already closed"):
        services.withdraw_application(application, by=alice)
