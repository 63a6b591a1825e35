"""Shared fixtures: the personas of CONVENTIONS.md, a media folder per test, a real Chromium.

- alice: owner of a certified organisation (`alice_org`)
- maria: manager at Alice's organisation
- bob: trainer at Alice's organisation
- carol: owner of another organisation (`carol_org`); must see nothing of Alice's
- rita: certification team, ugo: user group reviewer, paula: PSC member, tom: treasurer
  (the staff roles have two-factor authentication set up, as the platform requires)
- media_root: the folder every test's uploaded and generated files go to (see its docstring)

Test data comes from each app's `tests/factories.py`. Plain helpers that tests import:
`certification.core.tests.assertions.assert_unchanged` (a refused request changed nothing),
`certification.core.tests.concurrency.at_once` (jobs released together in threads),
`certification.core.tests.pdfs` (the text and a picture of a PDF) and
`certification.accounts.tests.browser` (logging in from a browser test).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from certification.accounts.models import User
from certification.accounts.roles import GlobalRole
from certification.accounts.services import grant_role
from certification.accounts.tests.factories import UserFactory, enable_totp
from certification.organisations.models import Membership, Organisation
from certification.organisations.tests.factories import MembershipFactory, OrganisationFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Rate limits and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """The folder the default storage writes to during this test: `tmp_path / "media"`.

    Every test gets its own, removed afterwards, so that no test finds the files of another
    (or of an earlier run) and `var/` does not grow. Autouse, because any view or service may
    store a file (logos, material, PDFs); a test that looks at the files asks for the path.
    """
    folder = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": "/media/"},
        },
    }
    return folder


def _staff(email: str, name: str, role: GlobalRole) -> User:
    user = UserFactory(email=email, name=name)
    grant_role(user, role, by=None, notify=False)
    if role != GlobalRole.USER_GROUP_REVIEWER:
        enable_totp(user)
    return user


@pytest.fixture
def alice_org(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Geoskolan AB", slug="geoskolan", country="SE")


@pytest.fixture
def carol_org(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Carto Lab Ltd", slug="carto-lab", country="GB")


@pytest.fixture
def alice(alice_org: Organisation) -> User:
    return MembershipFactory(
        user__email="alice@example.org",
        user__name="Alice Andersson",
        organisation=alice_org,
        role=Membership.Role.OWNER,
    ).user


@pytest.fixture
def maria(alice_org: Organisation) -> User:
    """Maria Manager, a manager at Alice's organisation: she runs its courses, trainers and
    certificates as Alice does, but only owners manage the members."""
    return MembershipFactory(
        user__email="maria@example.org",
        user__name="Maria Manager",
        organisation=alice_org,
        role=Membership.Role.MANAGER,
    ).user


@pytest.fixture
def bob(alice_org: Organisation) -> User:
    return MembershipFactory(
        user__email="bob@example.org",
        user__name="Bob Berg",
        organisation=alice_org,
        role=Membership.Role.TRAINER,
    ).user


@pytest.fixture
def carol(carol_org: Organisation) -> User:
    return MembershipFactory(
        user__email="carol@example.org",
        user__name="Carol Carter",
        organisation=carol_org,
        role=Membership.Role.OWNER,
    ).user


@pytest.fixture
def rita(db: None) -> User:
    return _staff("rita@example.org", "Rita Reviewer", GlobalRole.CERTIFICATION_TEAM)


@pytest.fixture
def ugo(db: None) -> User:
    return _staff("ugo@example.org", "Ugo Usergroup", GlobalRole.USER_GROUP_REVIEWER)


@pytest.fixture
def paula(db: None) -> User:
    return _staff("paula@example.org", "Paula PSC", GlobalRole.PSC_MEMBER)


@pytest.fixture
def tom(db: None) -> User:
    return _staff("tom@example.org", "Tom Treasurer", GlobalRole.TREASURER)


@pytest.fixture
def client_for(db: None) -> Any:
    """`client_for(alice)` is a test client logged in as Alice."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- Browser tests ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def test_output_dir() -> Path:
    path = Path(settings.TEST_OUTPUT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')."
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run them.")
        pytest.skip("SKIPPED LOUDLY: " + message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
