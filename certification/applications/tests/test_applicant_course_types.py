from pathlib import Path

import pytest
from django.test import Client

from certification.accounts.models import User
from certification.applications.models import Application, Status
from certification.applications.tests.factories import ApplicationFactory
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseMaterial, CourseType
from certification.training.tests.factories import CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


def _base(application: Application) -> str:
    return f"/applications/{application.code}/course-types/"


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "QGIS for planners",
        "description": "Planning maps with QGIS.",
        "learning_outcomes": "Load data\nMake a print layout",
        "hours": "16",
        "qgis_version": "3.40 LTR",
        "languages": ["sv", "en"],
    }
    data.update(changes)
    return data


def test_the_list_shows_each_course_type_and_what_material_it_lacks(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    with_material = CourseTypeFactory(
        organisation=alice_org, application=application, title="Advanced"
    )
    CourseMaterialFactory(course_type=with_material, title="Advanced slides")
    CourseTypeFactory(organisation=alice_org, application=application, title="Basics")
    CourseTypeFactory(organisation=alice_org, title="Not in this application")

    content = client_for(alice).get(_base(application)).content.decode()

    assert "Advanced slides" in content
    assert "Basics" in content
    assert "No training material yet." in content
    assert "Not in this application" not in content


def test_the_language_list_offers_course_languages(
    client_for, alice: User, application: Application
) -> None:
    content = client_for(alice).get(f"{_base(application)}add/").content.decode()

    assert '<select name="languages"' in content
    assert "multiple" in content
    assert '<option value="sv">Swedish</option>' in content


def test_adding_a_course_type_leads_to_its_material(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    response = client_for(alice).post(f"{_base(application)}add/", _form())

    course_type = application.course_types.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_base(application)}{course_type.pk}/"
    assert course_type.organisation == alice_org
    assert course_type.status == CourseType.Status.DRAFT
    assert course_type.languages == ["sv", "en"]
    assert course_type.hours == 16


def test_editing_a_course_type(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)

    response = client_for(alice).post(
        f"{_base(application)}{course_type.pk}/", _form(title="QGIS in a day", languages=["de"])
    )

    assert response.status_code == 302
    course_type.refresh_from_db()
    assert course_type.title == "QGIS in a day"
    assert course_type.languages == ["de"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("hours", "0"),
        ("hours", "600"),
        ("languages", []),
        ("languages", ["xx"]),
        ("qgis_version", ""),
        ("learning_outcomes", ""),
    ],
)
def test_bad_course_types_are_refused(
    client_for, alice: User, application: Application, field: str, value: object
) -> None:
    response = client_for(alice).post(f"{_base(application)}add/", _form(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not application.course_types.exists()


def test_deleting_a_course_type_asks_then_deletes_it_and_its_files(
    client_for,
    alice: User,
    alice_org: Organisation,
    application: Application,
    django_capture_on_commit_callbacks,
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    material = CourseMaterialFactory(course_type=course_type)
    stored = Path(material.file.path)
    url = f"{_base(application)}{course_type.pk}/delete/"

    confirmation = client_for(alice).get(url).content.decode()
    assert "Delete this course type?" in confirmation
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are gone
        response = client_for(alice).post(url)

    assert response["Location"] == _base(application)
    assert not CourseType.objects.filter(pk=course_type.pk).exists()
    assert not CourseMaterial.objects.filter(pk=material.pk).exists()
    assert not stored.exists()


def test_a_course_type_of_another_application_is_a_404(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    # Even one of the same organisation, when it is not part of this application.
    elsewhere = CourseTypeFactory(organisation=alice_org)

    client = client_for(alice)
    assert client.get(f"{_base(application)}{elsewhere.pk}/").status_code == 404
    with assert_unchanged(application, elsewhere):
        assert client.post(f"{_base(application)}{elsewhere.pk}/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{elsewhere.pk}/delete/").status_code == 404
    assert CourseType.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita"])
def test_nobody_else_can_change_course_types(
    client_for,
    request: pytest.FixtureRequest,
    alice_org: Organisation,
    application: Application,
    persona: str,
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_base(application)).status_code == 404
    with assert_unchanged(application, course_type, CourseType):
        assert client.post(f"{_base(application)}add/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{course_type.pk}/", _form()).status_code == 404
        assert client.post(f"{_base(application)}{course_type.pk}/delete/").status_code == 404
    assert application.course_types.count() == 1


def test_anonymous_visitors_are_asked_to_log_in(client: Client, application: Application) -> None:
    response = client.post(f"{_base(application)}add/", _form())

    assert response["Location"].startswith("/accounts/login/")
    assert not application.course_types.exists()


def test_a_submitted_application_refuses_changes(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    course_type = CourseTypeFactory(organisation=alice_org, application=application)
    Application.objects.filter(pk=application.pk).update(status=Status.PSC_REVIEW)

    client = client_for(alice)
    with assert_unchanged(application, course_type, CourseType):
        assert client.post(f"{_base(application)}add/", _form()).status_code == 403
        assert client.post(f"{_base(application)}{course_type.pk}/delete/").status_code == 403
    assert CourseType.objects.filter(pk=course_type.pk).exists()


def test_the_list_refuses_posts(client_for, alice: User, application: Application) -> None:
    with assert_unchanged(application, CourseType):
        assert client_for(alice).post(_base(application)).status_code == 405


def test_the_list_runs_a_fixed_number_of_queries(
    client_for,
    alice: User,
    alice_org: Organisation,
    application: Application,
    django_assert_max_num_queries,
) -> None:
    client = client_for(alice)
    client.get(_base(application))
    for _ in range(10):
        course_type = CourseTypeFactory(organisation=alice_org, application=application)
        CourseMaterialFactory.create_batch(3, course_type=course_type)

    with django_assert_max_num_queries(8):
        response = client.get(_base(application))

    assert response.content.decode().count('class="course-type"') == 10
