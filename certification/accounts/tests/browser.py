"""Logging in from a browser test, as the persons of the conftest.

Here in accounts because logging in is the accounts app's business, and every app above it
may import it. `log_in_with_form` uses the real login form; `become` skips it with a session
cookie, for the persons whose own login (two-factor) is not what the test is about.
"""

import re

from django.test import Client
from playwright.sync_api import Page, expect

from certification.accounts.models import User
from certification.accounts.tests.factories import PASSWORD


def log_in_with_form(page: Page, user: User) -> None:
    """The real login form, on the page the person is on (after following a login link)."""
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def log_in(page: Page, user: User) -> None:
    """Open the login page, log in with the form and wait until the site has let `user` in."""
    page.goto("/accounts/login/")
    log_in_with_form(page, user)
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def become(page: Page, user: User | None, live_server_url: str) -> None:
    """Switch persons: forget the current one; `user` (if any) comes in with a session cookie."""
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
    )
