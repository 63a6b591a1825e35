import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseMaterial, CourseType
from certification.training.tests.factories import PDF, CourseMaterialFactory, CourseTypeFactory

pytestmark = pytest.mark.django_db


def base(course_type: CourseType) -> str:
    return (
        f"/dashboard/organisations/{course_type.organisation.slug}/course-types/{course_type.pk}/"
    )


def add_url(course_type: CourseType) -> str:
    return base(course_type) + "materials/"


def material_url(material: CourseMaterial) -> str:
    return f"{base(material.course_type)}materials/{material.public_id}/"


def remove_url(material: CourseMaterial) -> str:
    return material_url(material) + "remove/"


def pdf(name: str = "slides.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def draft(alice_org: Organisation) -> CourseType:
    return CourseTypeFactory.create(organisation=alice_org, title="QGIS basics")


# --- Adding ------------------------------------------------------------------------------


def test_an_owner_uploads_a_file(client_for, alice: User, draft: CourseType) -> None:
    response = client_for(alice).post(
        add_url(draft), {"kind": "lecture", "title": "Day 1 slides", "file": pdf("Dag 1.pdf")}
    )

    assert response.status_code == 302
    assert response["Location"] == base(draft)
    material = draft.materials.get()
    assert material.title == "Day 1 slides"
    assert material.file_type == "pdf"
    assert material.original_name == "Dag_1.pdf"
    assert material.size == len(PDF)
    assert material.uploaded_by == alice
    assert AuditEvent.objects.filter(action="course_type.material_added").exists()


def test_a_manager_adds_a_link(client_for, maria: User, draft: CourseType) -> None:
    client_for(maria).post(
        add_url(draft),
        {"kind": "exercise", "title": "Exercises", "url": "https://github.com/geoskolan/ex"},
    )

    material = draft.materials.get()
    assert material.url == "https://github.com/geoskolan/ex"
    assert not material.file


def test_material_is_added_to_rejected_types_too(client_for, alice: User, alice_org) -> None:
    rejected = CourseTypeFactory.create(organisation=alice_org, status="rejected")

    client_for(alice).post(add_url(rejected), {"kind": "data", "title": "Data", "file": pdf()})

    assert rejected.materials.count() == 1


def office_document_named(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        (
            {
                "kind": "lecture",
                "title": "Slides",
                "file": pdf("slides.pdf", b"MZ\x90\x00 a program"),
            },
            "The content of this file is not a valid .pdf file.",
        ),
        (
            {"kind": "lecture", "title": "Slides", "file": office_document_named("slides.odt")},
            "The content of this file is not a valid .odt file.",
        ),
        (
            {"kind": "lecture", "title": "Slides", "file": pdf("slides.exe")},
            "Files of this type are not accepted.",
        ),
        (
            {"kind": "lecture", "title": "Slides", "file": pdf("empty.pdf", b"")},
            "The submitted file is empty.",
        ),
        (
            {"kind": "exercise", "title": "Link", "url": "javascript:alert(1)"},
            "Give a link that starts with http:// or https://.",
        ),
        (
            {"kind": "exercise", "title": "Link", "url": "ftp://files.example.org/data.zip"},
            "Give a link that starts with http:// or https://.",
        ),
        ({"kind": "lecture", "title": "Nothing"}, "Upload a file or give a link."),
        (
            {"kind": "lecture", "title": "Both", "file": pdf(), "url": "https://example.org/"},
            "Upload a file or give a link, not both.",
        ),
        ({"kind": "poster", "title": "Poster", "file": pdf()}, "Select a valid choice."),
        ({"kind": "lecture", "title": "", "file": pdf()}, "This field is required."),
    ],
    ids=[
        "exe-named-pdf",
        "docx-named-odt",
        "unknown-extension",
        "empty-file",
        "javascript-link",
        "ftp-link",
        "neither",
        "both",
        "unknown-kind",
        "no-title",
    ],
)
def test_it_refuses_bad_material(
    client_for, alice: User, draft: CourseType, data, field_error
) -> None:
    response = client_for(alice).post(add_url(draft), data)

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not CourseMaterial.objects.exists()


def test_the_error_of_a_refused_file_is_shown_next_to_the_file_field(
    client_for, alice: User, draft: CourseType
) -> None:
    response = client_for(alice).post(
        add_url(draft), {"kind": "lecture", "title": "Slides", "file": pdf("slides.pdf", b"text")}
    )

    assert response.context["material_form"].errors["file"] == [
        "The content of this file is not a valid .pdf file."
    ]


@override_settings(MATERIAL_MAX_FILE_MB=1, APPLICATION_MAX_TOTAL_MB=1)
def test_it_refuses_material_beyond_the_total_limit(
    client_for, alice: User, draft: CourseType
) -> None:
    CourseMaterialFactory.create(course_type=draft, size=999_990)

    response = client_for(alice).post(
        add_url(draft), {"kind": "lecture", "title": "More", "file": pdf()}
    )

    assert "at most 1 MB in all" in response.content.decode()
    assert draft.materials.count() == 1


@pytest.mark.parametrize("status", ["approved", "proposed", "retired"])
def test_no_material_is_added_to_read_only_types(
    client_for, alice: User, alice_org, status
) -> None:
    course_type = CourseTypeFactory.create(organisation=alice_org, status=status)

    response = client_for(alice).post(
        add_url(course_type), {"kind": "lecture", "title": "Slides", "file": pdf()}, follow=True
    )

    assert "cannot be changed" in response.content.decode()
    assert not CourseMaterial.objects.exists()


def test_an_applicant_adds_material_through_its_application_not_here(
    client_for, alice: User, alice_org, draft: CourseType
) -> None:
    alice_org.status = Organisation.Status.APPLICANT
    alice_org.save()

    client_for(alice).post(add_url(draft), {"kind": "lecture", "title": "Slides", "file": pdf()})

    assert not CourseMaterial.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("rita", 403), ("carol", 404)])
def test_others_cannot_add_material(client_for, draft, persona, status, request) -> None:
    response = client_for(request.getfixturevalue(persona)).post(
        add_url(draft), {"kind": "lecture", "title": "Slides", "file": pdf()}
    )

    assert response.status_code == status
    assert not CourseMaterial.objects.exists()


def test_anonymous_visitors_cannot_add_material(client: Client, draft: CourseType) -> None:
    response = client.post(add_url(draft), {"kind": "lecture", "title": "Slides", "file": pdf()})

    assert response["Location"].startswith("/accounts/login/")
    assert not CourseMaterial.objects.exists()


def test_adding_is_post_only(client_for, alice: User, draft: CourseType) -> None:
    with assert_unchanged(draft, CourseMaterial):
        assert client_for(alice).get(add_url(draft)).status_code == 405


# --- Removing ----------------------------------------------------------------------------


def test_removing_asks_for_confirmation_then_deletes_row_and_file(
    client_for, alice: User, draft: CourseType, django_capture_on_commit_callbacks
) -> None:
    material = CourseMaterialFactory.create(course_type=draft, title="Old slides")
    storage, name = material.file.storage, str(material.file.name)
    client = client_for(alice)

    confirmation = client.get(remove_url(material))
    assert confirmation.status_code == 200
    assert (
        "Remove “Old slides” from the course type “QGIS basics”?" in confirmation.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(material))

    assert response["Location"] == base(draft)
    assert not CourseMaterial.objects.exists()
    assert not storage.exists(name)
    assert AuditEvent.objects.filter(action="course_type.material_removed").exists()


@pytest.mark.parametrize("status", ["approved", "proposed"])
def test_material_of_read_only_types_stays(client_for, alice: User, alice_org, status) -> None:
    material = CourseMaterialFactory.create(
        course_type=CourseTypeFactory.create(organisation=alice_org, status=status), link=True
    )

    client_for(alice).post(remove_url(material))

    assert CourseMaterial.objects.filter(pk=material.pk).exists()


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("rita", 403), ("carol", 404)])
def test_others_cannot_remove_material(client_for, draft, persona, status, request) -> None:
    material = CourseMaterialFactory.create(course_type=draft, link=True)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(remove_url(material)).status_code == status
    assert client.post(remove_url(material)).status_code == status
    assert CourseMaterial.objects.filter(pk=material.pk).exists()


def test_material_of_another_course_type_is_a_404(
    client_for, alice: User, alice_org, draft
) -> None:
    other = CourseMaterialFactory.create(
        course_type=CourseTypeFactory.create(organisation=alice_org), link=True
    )
    url = f"{base(draft)}materials/{other.public_id}/remove/"

    assert client_for(alice).post(url).status_code == 404
    assert CourseMaterial.objects.filter(pk=other.pk).exists()


def test_anonymous_visitors_cannot_remove_material(client: Client, draft: CourseType) -> None:
    material = CourseMaterialFactory.create(course_type=draft, link=True)

    assert client.post(remove_url(material))["Location"].startswith("/accounts/login/")
    assert CourseMaterial.objects.filter(pk=material.pk).exists()


# --- Downloading -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria", "rita"])
def test_managers_and_the_certification_team_download_files(
    client_for, draft: CourseType, persona, request
) -> None:
    material = CourseMaterialFactory.create(course_type=draft, original_name="Day 1.pdf")

    response = client_for(request.getfixturevalue(persona)).get(material_url(material))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Day 1.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_the_detail_page_links_to_downloads_only_for_those_allowed(
    client_for, alice: User, bob: User, draft: CourseType
) -> None:
    material = CourseMaterialFactory.create(course_type=draft)

    assert f'href="{material_url(material)}"' in client_for(alice).get(base(draft)).content.decode()
    assert (
        f'href="{material_url(material)}"' not in client_for(bob).get(base(draft)).content.decode()
    )


def test_an_unknown_file_type_is_sent_as_octet_stream(client_for, alice: User, draft) -> None:
    material = CourseMaterialFactory.create(course_type=draft, file_type="")

    assert (
        client_for(alice).get(material_url(material))["Content-Type"] == "application/octet-stream"
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 403), ("paula", 403), ("carol", 404), ("ugo", 404), ("tom", 404)],
)
def test_others_cannot_download(client_for, draft, persona, status, request) -> None:
    material = CourseMaterialFactory.create(course_type=draft)

    assert (
        client_for(request.getfixturevalue(persona)).get(material_url(material)).status_code
        == status
    )


def test_anonymous_visitors_cannot_download(client: Client, draft: CourseType) -> None:
    material = CourseMaterialFactory.create(course_type=draft)

    assert client.get(material_url(material))["Location"].startswith("/accounts/login/")


def test_a_link_has_nothing_to_download(client_for, alice: User, draft: CourseType) -> None:
    material = CourseMaterialFactory.create(course_type=draft, link=True)

    assert client_for(alice).get(material_url(material)).status_code == 404


def test_a_file_missing_from_storage_is_a_404(client_for, alice: User, draft: CourseType) -> None:
    material = CourseMaterialFactory.create(course_type=draft)
    material.file.storage.delete(str(material.file.name))

    assert client_for(alice).get(material_url(material)).status_code == 404


def test_downloading_is_read_only(client_for, alice: User, draft: CourseType) -> None:
    material = CourseMaterialFactory.create(course_type=draft)

    with assert_unchanged(material):
        assert client_for(alice).post(material_url(material)).status_code == 405
