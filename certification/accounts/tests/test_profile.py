import pytest
from django.test import Client

from certification.accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_shows_the_profile(client_for, alice: User) -> None:
    response = client_for(alice).get("/accounts/profile/")

    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()


def test_it_saves_the_name_and_language(client_for, alice: User) -> None:
    response = client_for(alice).post(
        "/accounts/profile/", {"name": "Alice Svensson", "preferred_language": "sv"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.name == "Alice Svensson"
    assert alice.preferred_language == "sv"


def test_the_saved_language_is_used_on_every_page(client_for, alice: User) -> None:
    alice.preferred_language = "sv"
    alice.save()

    response = client_for(alice).get("/dashboard/")

    assert response["Content-Language"] == "sv"
    assert "Översikt" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "   ", "preferred_language": "en"}, "This field is required."),
        ({"name": "Alice", "preferred_language": "xx"}, "Select a valid choice."),
        ({"name": "A" * 201, "preferred_language": "en"}, "at most 200 characters"),
    ],
)
def test_it_refuses_bad_input_and_keeps_the_rest(client_for, alice: User, data, error) -> None:
    response = client_for(alice).post("/accounts/profile/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    alice.refresh_from_db()
    assert alice.name == "Alice Andersson"


def test_anonymous_visitors_are_asked_to_log_in(client: Client) -> None:
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_posts_change_nothing(client: Client) -> None:
    response = client.post("/accounts/profile/", {"name": "Hacker"})

    assert response.status_code == 302
    assert not User.objects.filter(name="Hacker").exists()
