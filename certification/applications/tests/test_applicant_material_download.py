"""Downloading training material: applicants and reviewers only, from private storage."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from certification.accounts.models import User
from certification.applications.models import Application, Status
from certification.applications.tests.factories import (
    ApplicationFactory,
    OpinionRequestFactory,
    UserGroupFactory,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseMaterial
from certification.training.tests.factories import PDF, CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


@pytest.fixture
def material(alice_org: Organisation, application: Application) -> CourseMaterial:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    return CourseMaterialFactory(course_type=course_type, original_name="Day 1 slides.pdf")


def _url(application: Application, material: CourseMaterial) -> str:
    return f"/applications/{application.code}/materials/{material.public_id}/"


def _set_status(application: Application, status: str) -> None:
    Application.objects.filter(pk=application.pk).update(status=status)


def test_the_applicant_downloads_the_file_as_an_attachment(
    client_for, alice: User, application: Application, material: CourseMaterial
) -> None:
    response = client_for(alice).get(_url(application, material))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Day 1 slides.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_the_file_is_not_under_the_media_url(
    client_for, alice: User, application: Application, material: CourseMaterial
) -> None:
    client = client_for(alice)
    page = client.get(f"/applications/{application.code}/summary/").content.decode()

    assert settings.MEDIA_URL not in page
    assert _url(application, material) in page
    assert client.get(f"{settings.MEDIA_URL}{material.file.name}").status_code == 404


def test_another_organisation_gets_a_404(
    client_for, carol: User, application: Application, material: CourseMaterial
) -> None:
    assert client_for(carol).get(_url(application, material)).status_code == 404


def test_a_trainer_of_the_organisation_gets_a_404(
    client_for, bob: User, application: Application, material: CourseMaterial
) -> None:
    assert client_for(bob).get(_url(application, material)).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(
    client: Client, application: Application, material: CourseMaterial
) -> None:
    response = client.get(_url(application, material))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_reviewers_see_nothing_of_a_draft(
    client_for, rita: User, paula: User, application: Application, material: CourseMaterial
) -> None:
    assert client_for(rita).get(_url(application, material)).status_code == 404
    assert client_for(paula).get(_url(application, material)).status_code == 404


def test_the_certification_team_and_the_psc_download_submitted_material(
    client_for, rita: User, paula: User, application: Application, material: CourseMaterial
) -> None:
    _set_status(application, Status.SUBMITTED)

    for reviewer in (rita, paula):
        response = client_for(reviewer).get(_url(application, material))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


def test_a_user_group_reviewer_downloads_only_when_asked_for_an_opinion(
    client_for, ugo: User, application: Application, material: CourseMaterial
) -> None:
    _set_status(application, Status.COMMUNITY_REVIEW)
    assert client_for(ugo).get(_url(application, material)).status_code == 404

    group = UserGroupFactory(
        name="QGIS Sverige", slug="qgis-sverige", countries=["SE"], reviewers=[ugo]
    )
    OpinionRequestFactory(
        application=application,
        user_group=group,
        round=1,
        due_at=timezone.now() + timedelta(days=30),
    )

    assert client_for(ugo).get(_url(application, material)).status_code == 200


def test_the_treasurer_gets_a_404(
    client_for, tom: User, application: Application, material: CourseMaterial
) -> None:
    _set_status(application, Status.SUBMITTED)

    assert client_for(tom).get(_url(application, material)).status_code == 404


def test_material_of_another_application_is_a_404(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    # The same organisation's earlier application: the code must match the material.
    earlier = ApplicationFactory(organisation=alice_org, status=Status.REJECTED)
    course_type = CourseTypeFactory(organisation=alice_org, application=earlier)
    material = CourseMaterialFactory(course_type=course_type)

    assert client_for(alice).get(_url(application, material)).status_code == 404
    assert client_for(alice).get(_url(earlier, material)).status_code == 200


def test_an_unknown_material_is_a_404(client_for, alice: User, application: Application) -> None:
    url = f"/applications/{application.code}/materials/00000000-0000-4000-8000-000000000000/"

    assert client_for(alice).get(url).status_code == 404


def test_a_link_redirects(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    link = CourseMaterialFactory(course_type=course_type, link=True)

    response = client_for(alice).get(_url(application, link))

    assert response.status_code == 302
    assert response["Location"] == "https://example.org/exercises"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/data.zip"])
def test_a_stored_link_that_is_not_http_never_redirects(
    client_for, alice: User, alice_org: Organisation, application: Application, url: str
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    link = CourseMaterialFactory(course_type=course_type, link=True, url=url)

    assert client_for(alice).get(_url(application, link)).status_code == 404


def test_a_file_missing_from_storage_is_a_404(
    client_for, alice: User, application: Application, material: CourseMaterial
) -> None:
    material.file.storage.delete(str(material.file.name))

    assert client_for(alice).get(_url(application, material)).status_code == 404


def test_downloads_are_get_only(
    client_for, alice: User, application: Application, material: CourseMaterial
) -> None:
    with assert_unchanged(material):
        assert client_for(alice).post(_url(application, material)).status_code == 405
