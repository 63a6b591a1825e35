import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from certification.accounts.models import User
from certification.core.models import AuditEvent
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/dashboard/organisations/geoskolan/profile/"
VALID = {
    "address": "Drottninggatan 12\n111 51 Stockholm",
    "website": "https://geoskolan.example.org",
    "contact_email": "kurser@geoskolan.example.org",
    "vat_number": "SE556677889901",
}


def image_file(
    name: str, image_format: str, size: tuple[int, int] = (64, 32)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (88, 150, 50)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_the_owner_sees_the_form_without_legal_name_or_country(client_for, alice: User) -> None:
    response = client_for(alice).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="website"' in content
    assert 'name="logo"' in content
    assert 'enctype="multipart/form-data"' in content
    assert 'name="legal_name"' not in content
    assert 'name="country"' not in content


def test_the_owner_saves_the_profile_and_a_logo(
    client_for, alice: User, alice_org: Organisation
) -> None:
    response = client_for(alice).post(URL, {**VALID, "logo": image_file("Our Logo.png", "PNG")})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/organisations/geoskolan/"
    alice_org.refresh_from_db()
    assert alice_org.website == "https://geoskolan.example.org"
    assert alice_org.contact_email == "kurser@geoskolan.example.org"
    assert alice_org.vat_number == "SE556677889901"
    assert str(alice_org.logo.name).startswith("logos/our-logo")
    assert str(alice_org.logo.name).endswith(".png")
    event = AuditEvent.objects.get(action="organisation.profile_updated")
    assert event.actor == alice
    assert set(event.data["fields"]) == {
        "address",
        "website",
        "contact_email",
        "vat_number",
        "logo",
    }


def test_a_manager_may_edit_the_profile(client_for, maria: User, alice_org: Organisation) -> None:
    response = client_for(maria).post(URL, {**VALID, "vat_number": "SE1"})

    assert response.status_code == 302
    alice_org.refresh_from_db()
    assert alice_org.vat_number == "SE1"


def test_legal_name_and_country_cannot_be_changed_here(
    client_for, alice: User, alice_org: Organisation
) -> None:
    client_for(alice).post(URL, {**VALID, "legal_name": "Renamed AB", "country": "NO"})

    alice_org.refresh_from_db()
    assert alice_org.legal_name == "Geoskolan AB"
    assert alice_org.country == "SE"


def test_an_unchanged_profile_records_nothing(
    client_for, alice: User, alice_org: Organisation
) -> None:
    data = {
        "address": alice_org.address,
        "website": alice_org.website,
        "contact_email": alice_org.contact_email,
        "vat_number": alice_org.vat_number,
    }

    assert client_for(alice).post(URL, data).status_code == 302
    assert not AuditEvent.objects.filter(action="organisation.profile_updated").exists()


def test_a_logo_whose_content_is_another_format_gets_the_right_extension(
    client_for, alice: User, alice_org: Organisation
) -> None:
    client_for(alice).post(URL, {**VALID, "logo": image_file("logo.jpg", "PNG")})

    alice_org.refresh_from_db()
    assert str(alice_org.logo.name).endswith(".png")


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("logo.png", b"not an image at all"), "not an image we can read"),
        (
            SimpleUploadedFile("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "not an image",
        ),
        (image_file("logo.png", "GIF"), "Upload a PNG, JPEG or WebP image."),
        (image_file("logo.bmp", "BMP"), "Upload a PNG, JPEG or WebP image."),
        (image_file("logo.png", "PNG", size=(4001, 10)), "at most 4000 pixels"),
    ],
    ids=["text", "svg", "gif", "bmp", "huge-dimensions"],
)
def test_it_refuses_what_is_not_a_small_png_jpeg_or_webp(
    client_for, alice: User, alice_org: Organisation, upload, error
) -> None:
    response = client_for(alice).post(URL, {**VALID, "logo": upload})

    assert response.status_code == 200
    assert error in response.content.decode()
    alice_org.refresh_from_db()
    assert not alice_org.logo
    assert alice_org.vat_number == ""


def test_it_refuses_a_logo_over_2_mb(client_for, alice: User, alice_org: Organisation) -> None:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, format="PNG")
    assert buffer.tell() > 2_000_000

    response = client_for(alice).post(
        URL, {**VALID, "logo": SimpleUploadedFile("noise.png", buffer.getvalue())}
    )

    assert "it can be at most 2 MB" in response.content.decode()
    alice_org.refresh_from_db()
    assert not alice_org.logo


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("website", "javascript:alert(1)", "starts with http:// or https://"),
        ("website", "ftp://files.example.org", "starts with http:// or https://"),
        ("contact_email", "not-an-email", "Enter a valid email address."),
        ("vat_number", "X" * 33, "at most 32 characters"),
    ],
)
def test_it_refuses_bad_input(
    client_for, alice: User, alice_org: Organisation, field, value, error
) -> None:
    response = client_for(alice).post(URL, {**VALID, field: value})

    assert response.status_code == 200
    assert error in response.content.decode()
    alice_org.refresh_from_db()
    assert alice_org.vat_number == ""


def test_a_refused_form_keeps_showing_the_saved_profile(client_for, alice: User) -> None:
    response = client_for(alice).post(URL, {**VALID, "contact_email": "bad"})

    assert response.context["organisation"].website == "https://example.org"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_trainer_may_not_edit_the_profile(
    client_for, bob: User, alice_org: Organisation, method
) -> None:
    response = getattr(client_for(bob), method)(URL, VALID)

    assert response.status_code == 403
    alice_org.refresh_from_db()
    assert alice_org.vat_number == ""


def test_the_certification_team_edits_profiles_in_the_admin_not_here(
    client_for, alice: User, rita: User, alice_org: Organisation
) -> None:
    with assert_unchanged(alice_org):
        assert client_for(rita).post(URL, VALID).status_code == 403


@pytest.mark.parametrize("persona", ["carol", "ugo", "tom"])
def test_people_outside_the_organisation_get_a_404(
    client_for, alice: User, alice_org: Organisation, persona, request
) -> None:
    client = client_for(request.getfixturevalue(persona))

    with assert_unchanged(alice_org):
        response = client.post(URL, VALID)

    assert response.status_code == 404
    alice_org.refresh_from_db()
    assert alice_org.vat_number == ""


def test_anonymous_visitors_are_asked_to_log_in(client: Client, alice_org: Organisation) -> None:
    with assert_unchanged(alice_org):
        response = client.post(URL, VALID)

    assert response["Location"].startswith("/accounts/login/?next=")


def test_other_methods_are_refused(client_for, alice: User, alice_org: Organisation) -> None:
    with assert_unchanged(alice_org):
        assert client_for(alice).put(URL).status_code == 405
