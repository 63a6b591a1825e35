"""The declaration, the summary before submitting, and the submission itself."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Snapshot, Status
from certification.applications.tests.factories import (
    ApplicationFactory,
    ContributionFactory,
    complete_application,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Membership, Organisation
from certification.training.tests.factories import PDF, CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


@pytest.fixture
def complete(alice: User, alice_org: Organisation) -> Application:
    return complete_application(alice_org, by=alice)


# --- Declaration --------------------------------------------------------------------------


def test_the_declaration_says_what_is_declared(client_for, alice: User, draft: Application) -> None:
    content = client_for(alice).get(f"/applications/{draft.code}/declaration/").content.decode()

    assert "On behalf of Geoskolan AB, I declare that" in content
    assert "true and complete" in content
    assert "right to share it" in content
    assert "20 EUR" in content
    assert 'type="checkbox"' in content


def test_making_the_declaration(client_for, alice: User, draft: Application) -> None:
    response = client_for(alice).post(f"/applications/{draft.code}/declaration/", {"accept": "on"})

    assert response["Location"] == f"/applications/{draft.code}/summary/"
    draft.refresh_from_db()
    assert draft.declaration_accepted_at is not None
    assert draft.declaration_accepted_by == alice
    page = client_for(alice).get(f"/applications/{draft.code}/declaration/").content.decode()
    assert "Alice Andersson made this declaration" in page


def test_the_declaration_needs_the_box_ticked(client_for, alice: User, draft: Application) -> None:
    response = client_for(alice).post(f"/applications/{draft.code}/declaration/", {})

    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    draft.refresh_from_db()
    assert draft.declaration_accepted_at is None


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita"])
def test_nobody_else_makes_the_declaration(
    client_for, request: pytest.FixtureRequest, draft: Application, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(draft):
        assert (
            client.post(f"/applications/{draft.code}/declaration/", {"accept": "on"}).status_code
            == 404
        )
    draft.refresh_from_db()
    assert draft.declaration_accepted_at is None


# --- Summary ------------------------------------------------------------------------------


def test_the_summary_of_an_empty_draft_lists_what_is_missing_with_links(
    client_for, alice: User, draft: Application
) -> None:
    Organisation.objects.filter(pk=draft.organisation_id).update(website="")

    response = client_for(alice).get(f"/applications/{draft.code}/summary/")

    content = response.content.decode()
    assert "Before you can submit" in content
    code = draft.code
    assert f'href="/applications/{code}/details/">The organisation' in content
    assert (
        f'href="/applications/{code}/details/#id_activity-training_activity">A description'
        in content
    )
    assert f'href="/applications/{code}/contributions/add/">At least one contribution' in content
    assert f'href="/applications/{code}/course-types/add/">At least one course type' in content
    assert f'href="/applications/{code}/declaration/">The declaration.' in content
    assert "Submit the application" not in content


def test_a_course_type_without_material_links_to_its_page(
    client_for, alice: User, alice_org: Organisation, complete: Application
) -> None:
    bare = CourseTypeFactory(organisation=alice_org, application=complete, title="GIS for all")

    content = client_for(alice).get(f"/applications/{complete.code}/summary/").content.decode()

    assert (
        f'href="/applications/{complete.code}/course-types/{bare.pk}/#material">'
        "Training material for the course type “GIS for all”." in content
    )


def test_a_complete_application_shows_everything_and_the_submit_button(
    client_for, alice: User, complete: Application
) -> None:
    content = client_for(alice).get(f"/applications/{complete.code}/summary/").content.decode()

    assert "Ready to submit" in content
    assert f'action="/applications/{complete.code}/submit/"' in content
    assert "Two-day QGIS courses for municipalities" in content
    assert "Translated part" in content
    assert "https://example.org/translation" in content
    assert "QGIS course" in content
    assert "Slides, day" in content
    assert "Made by Alice Andersson" in content


def test_evidence_links_that_are_not_web_addresses_are_not_made_links(
    client_for, alice: User, complete: Application
) -> None:
    ContributionFactory(application=complete, evidence_links=["javascript:alert(1)"])

    content = client_for(alice).get(f"/applications/{complete.code}/summary/").content.decode()

    assert 'href="javascript:' not in content


def test_reviewers_read_the_summary_without_edit_links(
    client_for, rita: User, complete: Application
) -> None:
    Application.objects.filter(pk=complete.pk).update(status=Status.INITIAL_REVIEW)

    response = client_for(rita).get(f"/applications/{complete.code}/summary/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Submit the application" not in content
    assert f"/applications/{complete.code}/details/" not in content


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita"])
def test_nobody_else_reads_a_draft_summary(
    client_for, request: pytest.FixtureRequest, complete: Application, persona: str
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(
        f"/applications/{complete.code}/summary/"
    )

    assert response.status_code == 404


def test_the_summary_runs_a_fixed_number_of_queries(
    client_for,
    alice: User,
    alice_org: Organisation,
    complete: Application,
    django_assert_max_num_queries,
) -> None:
    client = client_for(alice)
    client.get(f"/applications/{complete.code}/summary/")
    ContributionFactory.create_batch(10, application=complete)
    for _ in range(10):
        course_type = CourseTypeFactory(organisation=alice_org, application=complete)
        CourseMaterialFactory.create_batch(3, course_type=course_type)

    with django_assert_max_num_queries(13):
        response = client.get(f"/applications/{complete.code}/summary/")

    assert response.content.decode().count("Translated part") == 11


# --- Submit -------------------------------------------------------------------------------


def test_submitting_an_incomplete_application_says_what_is_missing(
    client_for, alice: User, draft: Application
) -> None:
    response = client_for(alice).post(f"/applications/{draft.code}/submit/", follow=True)

    assert response.redirect_chain[-1][0] == f"/applications/{draft.code}/summary/"
    content = response.content.decode()
    assert "The application is not complete yet" in content
    assert "At least one course type." in content
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submitting_a_complete_application(
    client_for, alice: User, rita: User, complete: Application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(f"/applications/{complete.code}/submit/")

    assert response["Location"] == f"/applications/{complete.code}/"
    complete.refresh_from_db()
    assert complete.status == Status.SUBMITTED
    assert Snapshot.objects.filter(application=complete, round=1).exists()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.org",
        "rita@example.org",
    ]


def test_submitting_is_post_only(client_for, alice: User, complete: Application) -> None:
    with assert_unchanged(complete, Snapshot):
        assert client_for(alice).get(f"/applications/{complete.code}/submit/").status_code == 405
    complete.refresh_from_db()
    assert complete.status == Status.DRAFT


def test_anonymous_visitors_cannot_submit(client: Client, complete: Application) -> None:
    with assert_unchanged(complete, Snapshot):
        response = client.post(f"/applications/{complete.code}/submit/")

    assert response["Location"].startswith("/accounts/login/")
    complete.refresh_from_db()
    assert complete.status == Status.DRAFT


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita", "paula"])
def test_nobody_else_submits(
    client_for, request: pytest.FixtureRequest, complete: Application, persona: str
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(complete, Snapshot):
        response = client.post(f"/applications/{complete.code}/submit/")

    assert response.status_code == 404
    complete.refresh_from_db()
    assert complete.status == Status.DRAFT


def test_a_submitted_application_cannot_be_submitted_again(
    client_for, alice: User, complete: Application
) -> None:
    Application.objects.filter(pk=complete.pk).update(status=Status.SUBMITTED)

    with assert_unchanged(complete, Snapshot):
        assert client_for(alice).post(f"/applications/{complete.code}/submit/").status_code == 403


# --- The whole journey --------------------------------------------------------------------


def test_from_nothing_to_a_submitted_application(
    client_for, django_capture_on_commit_callbacks
) -> None:
    from certification.accounts.tests.factories import UserFactory

    owner = UserFactory(email="ines@example.org", name="Inês Silva")
    client = client_for(owner)

    client.post(
        "/apply/",
        {
            "legal_name": "Mapa Claro Lda",
            "country": "PT",
            "address": "",
            "website": "",
            "contact_email": "",
            "vat_number": "",
        },
    )
    application = Application.objects.get(organisation__legal_name="Mapa Claro Lda")
    base = f"/applications/{application.code}"
    assert Membership.objects.get(user=owner).role == Membership.Role.OWNER

    client.post(
        f"{base}/details/",
        {
            "organisation-legal_name": "Mapa Claro Lda",
            "organisation-country": "PT",
            "organisation-address": "Rua do Mapa 1, Lisboa",
            "organisation-website": "https://mapaclaro.example.org",
            "organisation-contact_email": "ola@mapaclaro.example.org",
            "organisation-vat_number": "",
            "activity-training_activity": "QGIS courses for city planners.",
        },
    )
    client.post(
        f"{base}/contributions/add/",
        {
            "category": "translation",
            "description": "Portuguese translation.",
            "start_year": "2020",
            "end_year": "",
            "evidence_links": "https://example.org/pt",
        },
    )
    client.post(
        f"{base}/course-types/add/",
        {
            "title": "QGIS básico",
            "description": "Primeiros mapas.",
            "learning_outcomes": "Mapas",
            "hours": "8",
            "qgis_version": "3.40 LTR",
            "languages": ["pt"],
        },
    )
    course_type = application.course_types.get()
    client.post(
        f"{base}/course-types/{course_type.pk}/material/upload/",
        {
            "upload-kind": "lecture",
            "upload-title": "Aula 1",
            "upload-file": SimpleUploadedFile("aula.pdf", PDF),
        },
    )
    client.post(f"{base}/declaration/", {"accept": "on"})
    summary = client.get(f"{base}/summary/").content.decode()
    assert "Ready to submit" in summary

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/submit/", follow=True)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "is submitted" in response.content.decode()
    assert "ines@example.org" in [message.to[0] for message in mail.outbox]
