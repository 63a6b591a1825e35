import pytest
from django.test import Client

from certification.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_the_programme(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "QGIS certified training" in content
    assert "Development of QGIS" in content
    assert 'lang="en"' in content


def test_the_home_page_speaks_swedish_when_asked(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "sv"})

    assert response.status_code == 200
    assert response["Content-Language"] == "sv"
    assert "Certifierad QGIS-utbildning" in response.content.decode()
    assert 'lang="sv"' in response.content.decode()


def test_the_login_page_answers_in_swedish_too(client: Client) -> None:
    response = client.get("/accounts/login/", headers={"accept-language": "sv"})

    assert response.status_code == 200
    assert "Logga in" in response.content.decode()


def test_an_unknown_address_gets_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "Go to the home page" in response.content.decode()


def test_navigation_shows_the_dashboard_only_to_people_logged_in(
    client: Client, client_for, alice: User
) -> None:
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
    assert 'href="/dashboard/"' in client_for(alice).get("/").content.decode()


def test_navigation_shows_the_administration_to_staff_only(client_for, alice: User, rita: User):
    assert 'href="/admin/"' not in client_for(alice).get("/").content.decode()
    assert 'href="/admin/"' in client_for(rita).get("/").content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client: Client) -> None:
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
