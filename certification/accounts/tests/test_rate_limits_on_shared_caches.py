"""Failed log-ins are throttled on the caches of production, where the counters live: the
database cache and Redis (see core/tests/cache_backends.py)."""

import pytest
from django.test import Client

from certification.accounts.tests import test_signup_and_login
from certification.accounts.tests.factories import PASSWORD, UserFactory
from certification.core.tests.cache_backends import (  # noqa: F401 - fixtures, used by name
    _database_cache_tables,
    shared_cache,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

TOO_MANY = "Too many failed login attempts"

test_failed_log_ins_are_throttled = test_signup_and_login.test_failed_log_ins_are_throttled


def log_in(client: Client, email: str, password: str, address: str) -> str:
    response = client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )
    return response.content.decode() if response.status_code == 200 else ""


def test_one_address_guessing_across_accounts_is_throttled(client: Client) -> None:
    for number in range(10):  # login_failed: 10 a minute per address
        UserFactory.create(email=f"person{number}@example.org")
        assert TOO_MANY not in log_in(client, f"person{number}@example.org", "guess", "192.0.2.7")
    UserFactory.create(email="next@example.org")

    refused = log_in(client, "next@example.org", PASSWORD, "192.0.2.7")
    from_elsewhere = log_in(Client(), "next@example.org", PASSWORD, "192.0.2.8")

    assert TOO_MANY in refused
    assert TOO_MANY not in from_elsewhere


def test_a_successful_log_in_is_not_counted(client: Client) -> None:
    UserFactory.create(email="regular@example.org")

    for _attempt in range(6):  # more than the 5 failures an account may have
        visitor = Client()
        assert log_in(visitor, "regular@example.org", PASSWORD, "192.0.2.9") == ""

    assert TOO_MANY not in log_in(client, "regular@example.org", "wrong", "192.0.2.9")
