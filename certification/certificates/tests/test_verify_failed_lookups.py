"""Only failed lookups count against an address's limit: an employer checks a whole list of
valid certificates, a guesser fails; and a guesser over the limit learns nothing more."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client, RequestFactory

from certification.certificates.codes import new_code, normalise
from certification.certificates.models import Certificate
from certification.certificates.tests.test_verify_certificate import make_certificate
from certification.certificates.verification.throttling import count_failure, refused
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings: Any) -> None:
    settings.VERIFY_RATE_LIMIT = LIMIT
    settings.VERIFY_RATE_WINDOW_SECONDS = 60


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """A stopped clock inside one window, so that no test straddles two by chance."""
    with time_machine.travel("2026-03-02 10:00:05+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def certificate(alice_org: Organisation) -> Certificate:
    return make_certificate(alice_org)


def test_valid_lookups_are_never_counted(client: Client, certificate: Certificate) -> None:
    for _ in range(LIMIT * 10):
        assert client.get(f"/verify/{certificate.code}/").status_code == 200
        assert client.get(f"/verify/{certificate.code}.json").status_code == 200

    # The whole allowance of failures is still there, and not one more.
    for _ in range(LIMIT):
        assert client.get(f"/verify/{new_code()}/").status_code == 404
    assert client.get(f"/verify/{new_code()}/").status_code == 429


def test_a_valid_lookup_writes_nothing_to_the_cache(
    client: Client, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_write(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a valid lookup wrote to the cache")

    for method in ("set", "add", "incr", "set_many"):
        monkeypatch.setattr(caches["default"], method, no_write)

    assert client.get(f"/verify/{certificate.code}/").status_code == 200
    assert client.get(f"/verify/{certificate.code}.json").status_code == 200


def wrong_check_character() -> str:
    code = new_code()
    wrong = "2" if code[-1] != "2" else "3"
    assert normalise(code[:-1] + wrong) is None
    return code[:-1] + wrong


@pytest.mark.parametrize(
    "fail",
    [
        pytest.param(lambda client: client.get(f"/verify/{new_code()}/"), id="unknown"),
        pytest.param(lambda client: client.get(f"/verify/{new_code()}.json"), id="unknown-json"),
        pytest.param(lambda client: client.get("/verify/nonsense/"), id="malformed"),
        pytest.param(
            lambda client: client.get(f"/verify/{wrong_check_character()}/"),
            id="wrong-check-character",
        ),
        pytest.param(lambda client: client.get("/verify/", {"code": "QGIS-AAAA"}), id="form"),
    ],
)
def test_every_kind_of_failure_counts_and_then_every_lookup_is_refused(
    client: Client, certificate: Certificate, fail: Any
) -> None:
    answers = [fail(client).status_code for _ in range(LIMIT)]

    assert 429 not in answers
    assert fail(client).status_code == 429
    # A valid code is refused too: the difference would tell a guesser which codes exist.
    assert client.get(f"/verify/{certificate.code}/").status_code == 429
    assert client.get(f"/verify/{certificate.code}.json").status_code == 429


def test_a_page_in_the_page_cache_is_refused_to_an_address_over_the_limit(
    settings: Any, certificate: Certificate
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    path = f"/verify/{certificate.code}/"
    assert Client(REMOTE_ADDR="192.0.2.7").get(path).status_code == 200  # now in the cache
    guesser = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(LIMIT):
        assert guesser.get(f"/verify/{new_code()}/").status_code == 404

    refused_page = guesser.get(path)
    served = Client(REMOTE_ADDR="192.0.2.7").get(path)

    assert refused_page.status_code == 429
    assert "Anna Svensson" not in refused_page.content.decode()
    assert served.status_code == 200
    caches["pages"].clear()


def test_failures_in_flight_together_are_told_no_more_than_the_limit() -> None:
    """Lookups that all passed `refused` at once: the one too many is refused when counted."""
    request = RequestFactory().get("/verify/x/", REMOTE_ADDR="198.51.100.1")
    assert refused(request) is None

    told = [count_failure(request) for _ in range(LIMIT + 1)]

    assert told[:LIMIT] == [None] * LIMIT
    assert told[LIMIT] == 55
    assert refused(request) == 55


@pytest.fixture
def database_cache(settings: Any) -> Iterator[None]:
    """The default cache of the settings (CACHE_URL=db://): a table in the database."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_verify_failures",
        },
    }
    call_command("createcachetable", "test_verify_failures", verbosity=0)
    yield
    cache.clear()


def test_the_failures_are_counted_in_the_database_cache_too(
    database_cache: None, client: Client, certificate: Certificate
) -> None:
    for _ in range(LIMIT * 3):
        assert client.get(f"/verify/{certificate.code}/").status_code == 200
    for _ in range(LIMIT):
        assert client.get(f"/verify/{new_code()}/").status_code == 404

    assert client.get(f"/verify/{new_code()}/").status_code == 429
    assert client.get(f"/verify/{certificate.code}/").status_code == 429


def test_the_refusal_says_why_in_the_visitors_language(client: Client) -> None:
    for _ in range(LIMIT):
        client.get(f"/verify/{new_code()}/")

    response = client.get(f"/verify/{new_code()}/", HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 429
    assert "Många koder som inte hör till något certifikat" in response.content.decode()
