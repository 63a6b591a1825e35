"""Adding and deleting training material: uploads, links, and their checks."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from certification.accounts.models import User
from certification.applications.models import Application, Status
from certification.applications.tests.factories import (
    ApplicationFactory,
    office_file,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseMaterial, CourseType
from certification.training.tests.factories import PDF, CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice: User, alice_org: Organisation) -> Application:
    return ApplicationFactory(organisation=alice_org, created_by=alice)


@pytest.fixture
def course_type(alice_org: Organisation, application: Application) -> CourseType:
    return CourseTypeFactory(organisation=alice_org, application=application, title="Basics")


def _page(application: Application, course_type: CourseType) -> str:
    return f"/applications/{application.code}/course-types/{course_type.pk}/"


def _upload(name: str = "slides.pdf", content: bytes = PDF, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "upload-kind": CourseMaterial.Kind.LECTURE,
        "upload-title": "Day 1 slides",
        "upload-file": SimpleUploadedFile(name, content),
    }
    data.update(changes)
    return data


def _link(**changes: str) -> dict[str, str]:
    data = {
        "link-kind": CourseMaterial.Kind.DATA,
        "link-title": "Exercise data",
        "link-url": "https://github.com/geoskolan/qgis-data",
    }
    data.update(changes)
    return data


def test_the_page_says_which_files_and_sizes_are_accepted(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    content = client_for(alice).get(_page(application, course_type)).content.decode()

    assert 'enctype="multipart/form-data"' in content
    assert "pdf, png, pptx" in content
    assert "at most 50 MB" in content
    assert "at most 500 MB" in content


# --- Uploads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "file_type"),
    [
        ("slides.pdf", PDF, "pdf"),
        ("handout.odt", office_file("odt"), "odt"),
        ("handout.docx", office_file("docx"), "docx"),
    ],
)
def test_uploading_a_file(
    client_for,
    alice: User,
    application: Application,
    course_type: CourseType,
    name: str,
    content: bytes,
    file_type: str,
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/", _upload(name, content)
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_page(application, course_type)}#material"
    material = course_type.materials.get()
    assert material.original_name == name
    assert material.file_type == file_type
    assert material.size == len(content)
    assert material.uploaded_by == alice
    # Private: stored under the storage, never served from MEDIA_URL by this view.
    assert Path(material.file.path).read_bytes() == content


def test_a_pdf_that_is_not_a_pdf_is_refused_next_to_the_file_field(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/",
        _upload("virus.pdf", b"MZ\x90\x00 this is no pdf", **{"upload-title": "My slides"}),
    )

    assert response.status_code == 200
    form = response.context["upload_form"]
    assert list(form.errors) == ["file"]
    assert "not a valid .pdf file" in form.errors["file"][0]
    content = response.content.decode()
    assert 'value="My slides"' in content
    assert 'id="id_upload-file_error"' in content
    assert not course_type.materials.exists()


def test_an_unaccepted_file_type_is_refused(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/", _upload("setup.exe", b"MZ\x90")
    )

    assert "are not accepted" in response.context["upload_form"].errors["file"][0]
    assert not course_type.materials.exists()


@override_settings(MATERIAL_MAX_FILE_MB=1)
def test_an_over_size_file_is_refused(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    big = PDF + b"0" * 1_100_000

    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/", _upload("big.pdf", big)
    )

    assert response.status_code == 200
    assert "at most 1 MB" in response.context["upload_form"].errors["file"][0]
    assert not course_type.materials.exists()


@override_settings(APPLICATION_MAX_TOTAL_MB=1)
def test_the_application_quota_is_kept(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    CourseMaterialFactory(course_type=course_type, size=900_000)

    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/", _upload("more.pdf", PDF * 5000)
    )

    assert "at most 1 MB in all" in response.context["upload_form"].errors["file"][0]
    assert course_type.materials.count() == 1


def test_an_upload_needs_a_file_a_title_and_a_kind(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/",
        {"upload-kind": "poster", "upload-title": ""},
    )

    assert set(response.context["upload_form"].errors) == {"kind", "title", "file"}
    assert not course_type.materials.exists()


def test_an_empty_file_is_refused(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/upload/", _upload("empty.pdf", b"")
    )

    assert "file" in response.context["upload_form"].errors
    assert not course_type.materials.exists()


# --- Links --------------------------------------------------------------------------------


def test_adding_a_link(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    response = client_for(alice).post(f"{_page(application, course_type)}material/link/", _link())

    assert response.status_code == 302
    material = course_type.materials.get()
    assert material.url == "https://github.com/geoskolan/qgis-data"
    assert material.kind == CourseMaterial.Kind.DATA
    assert not material.file


@pytest.mark.parametrize(
    "url", ["ftp://example.org/data.zip", "javascript:alert(1)", "file:///etc/passwd", "data"]
)
def test_a_link_must_be_http_or_https(
    client_for, alice: User, application: Application, course_type: CourseType, url: str
) -> None:
    response = client_for(alice).post(
        f"{_page(application, course_type)}material/link/", _link(**{"link-url": url})
    )

    assert response.status_code == 200
    assert list(response.context["link_form"].errors) == ["url"]
    assert 'value="Exercise data"' in response.content.decode()
    assert not course_type.materials.exists()


# --- Delete -------------------------------------------------------------------------------


def test_deleting_material_asks_then_deletes_the_row_and_the_file(
    client_for,
    alice: User,
    application: Application,
    course_type: CourseType,
    django_capture_on_commit_callbacks,
) -> None:
    material = CourseMaterialFactory(course_type=course_type, title="Old slides")
    stored = Path(material.file.path)
    url = f"/applications/{application.code}/materials/{material.public_id}/delete/"

    confirmation = client_for(alice).get(url).content.decode()
    assert "Delete this material?" in confirmation
    assert "Old slides" in confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(url)

    assert response["Location"] == f"{_page(application, course_type)}#material"
    assert not CourseMaterial.objects.filter(pk=material.pk).exists()
    assert not stored.exists()


def test_material_of_another_application_cannot_be_deleted(
    client_for, alice: User, application: Application
) -> None:
    material = CourseMaterialFactory()

    response = client_for(alice).post(
        f"/applications/{application.code}/materials/{material.public_id}/delete/"
    )

    assert response.status_code == 404
    assert CourseMaterial.objects.filter(pk=material.pk).exists()


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "carol", "ugo", "tom", "rita"])
def test_nobody_else_can_add_or_delete_material(
    client_for,
    request: pytest.FixtureRequest,
    application: Application,
    course_type: CourseType,
    persona: str,
) -> None:
    material = CourseMaterialFactory(course_type=course_type)
    client = client_for(request.getfixturevalue(persona))

    page = _page(application, course_type)
    delete = f"/applications/{application.code}/materials/{material.public_id}/delete/"
    with assert_unchanged(material, CourseMaterial):
        assert client.post(f"{page}material/upload/", _upload()).status_code == 404
        assert client.post(f"{page}material/link/", _link()).status_code == 404
        assert client.post(delete).status_code == 404
    assert course_type.materials.count() == 1


def test_anonymous_visitors_are_asked_to_log_in(
    client: Client, application: Application, course_type: CourseType
) -> None:
    response = client.post(f"{_page(application, course_type)}material/upload/", _upload())

    assert response["Location"].startswith("/accounts/login/")
    assert not course_type.materials.exists()


def test_adding_material_is_post_only(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    client = client_for(alice)
    with assert_unchanged(course_type, CourseMaterial):
        assert client.get(f"{_page(application, course_type)}material/upload/").status_code == 405
        assert client.get(f"{_page(application, course_type)}material/link/").status_code == 405


def test_a_submitted_application_refuses_new_material(
    client_for, alice: User, application: Application, course_type: CourseType
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)

    response = client_for(alice).post(f"{_page(application, course_type)}material/link/", _link())

    assert response.status_code == 403
    assert not course_type.materials.exists()


def test_a_course_type_of_another_application_takes_no_material(
    client_for, alice: User, alice_org: Organisation, application: Application
) -> None:
    elsewhere = CourseTypeFactory(organisation=alice_org)

    response = client_for(alice).post(
        f"/applications/{application.code}/course-types/{elsewhere.pk}/material/link/", _link()
    )

    assert response.status_code == 404
    assert not elsewhere.materials.exists()
