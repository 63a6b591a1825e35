import pytest
from django.test import Client

from certification.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_visitor_switches_to_swedish(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "sv"
    assert "Certifierad QGIS-utbildning" in client.get("/").content.decode()


def test_a_logged_in_person_keeps_the_choice_on_their_profile(client_for, alice: User) -> None:
    client_for(alice).post("/i18n/setlang/", {"language": "sv", "next": "/"})

    alice.refresh_from_db()
    assert alice.preferred_language == "sv"


def test_an_unknown_language_changes_nothing(client_for, alice: User) -> None:
    client_for(alice).post("/i18n/setlang/", {"language": "xx", "next": "/"})

    alice.refresh_from_db()
    assert alice.preferred_language == "en"


def test_it_does_not_redirect_to_other_sites(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "https://evil.example"})

    assert response["Location"] == "/"


def test_switching_language_needs_a_post(client: Client) -> None:
    response = client.get("/i18n/setlang/?language=sv")

    assert response.status_code == 405
    assert "django_language" not in response.cookies
