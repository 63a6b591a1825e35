"""A person signs up, confirms the email, logs in and switches to Swedish, in Chromium."""

import re
from pathlib import Path

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link_in_last_email(prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s]+)", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_sign_up_confirm_log_in_and_switch_to_swedish(page, test_output_dir: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()

    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_label("Full name").fill("María José Ñúñez")
    page.get_by_label("Password:", exact=True).fill("a-long-enough-password")
    page.get_by_label("Password (again)").fill("a-long-enough-password")
    page.get_by_role("button", name="Sign Up").click()

    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    assert mail.outbox[-1].to == ["maria@example.org"]
    page.goto(_link_in_last_email("/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Welcome, María").wait_for()

    page.get_by_text("María", exact=True).click()  # the user menu
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Welcome, María").wait_for()

    page.get_by_label("Language").select_option("sv")
    page.get_by_role("heading", name="Välkommen, María").wait_for()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("link", name="Översikt").is_visible()
    page.screenshot(path=test_output_dir / "dashboard-sv.png", full_page=True)

    page.goto("/")
    assert page.get_by_role("heading", name="Certifierad QGIS-utbildning").is_visible()
