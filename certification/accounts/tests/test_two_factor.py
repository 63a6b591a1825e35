import pytest
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from certification.accounts.models import User
from certification.accounts.permissions import acts_as
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.accounts.tests.factories import PASSWORD, UserFactory, enable_totp
from certification.core.tests.assertions import assert_unchanged

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture
def new_treasurer() -> User:
    user = UserFactory.create(email="new.treasurer@example.org")
    grant_role(user, GlobalRole.TREASURER, by=None, notify=False)
    return user


@pytest.mark.parametrize("path", ["/dashboard/", "/admin/", "/accounts/profile/"])
def test_staff_without_two_factor_are_sent_to_set_it_up(
    client_for, new_treasurer: User, path: str
) -> None:
    response = client_for(new_treasurer).get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_without_two_factor_cannot_post_either(client_for, new_treasurer: User) -> None:
    client = client_for(new_treasurer)

    with assert_unchanged(new_treasurer):
        response = client.post("/accounts/profile/", {"name": "Changed"})

    assert response.status_code == 302
    new_treasurer.refresh_from_db()
    assert new_treasurer.name != "Changed"


def test_the_setup_page_itself_stays_reachable(client_for, new_treasurer: User) -> None:
    client = client_for(new_treasurer)

    # allauth first asks for the password again, then shows the setup page.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert "Authenticator code" in page.content.decode()


@pytest.mark.parametrize(
    "role", [GlobalRole.CERTIFICATION_TEAM, GlobalRole.PSC_MEMBER, GlobalRole.TREASURER]
)
def test_staff_roles_do_not_act_without_two_factor(role: GlobalRole) -> None:
    user = UserFactory.create()
    grant_role(user, role, by=None, notify=False)
    assert not acts_as(user, role)

    enable_totp(user)
    fresh = User.objects.get(pk=user.pk)
    assert acts_as(fresh, role)


def test_staff_with_two_factor_get_through(client_for, tom: User) -> None:
    assert client_for(tom).get("/dashboard/").status_code == 200


def test_superusers_need_two_factor_too(client_for) -> None:
    admin = UserFactory.create(is_superuser=True, is_staff=True)

    assert client_for(admin).get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"


def test_organisation_members_and_user_group_reviewers_are_not_forced(
    client_for, alice: User, ugo: User
) -> None:
    assert client_for(alice).get("/dashboard/").status_code == 200
    assert client_for(ugo).get("/dashboard/").status_code == 200


def test_logging_in_with_two_factor_asks_for_the_code(client: Client) -> None:
    user = UserFactory.create(email="paula.psc@example.org")
    grant_role(user, GlobalRole.PSC_MEMBER, by=None, notify=False)
    secret = enable_totp(user)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/dashboard/").status_code == 302  # not logged in yet

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200  # wrong code, asked again

    response = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_the_admin_logs_in_through_the_same_two_factor_login(client: Client) -> None:
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
