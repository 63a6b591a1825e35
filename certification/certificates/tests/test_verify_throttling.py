"""Failed lookups are throttled per client address, so that codes cannot be guessed in bulk."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from certification.certificates.codes import new_code
from certification.certificates.models import Certificate
from certification.certificates.tests.test_verify_certificate import make_certificate
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


def use_up_the_limit(client: Client, **extra: Any) -> None:
    for _ in range(LIMIT):
        assert client.get(f"/verify/{new_code()}/", **extra).status_code == 404


def test_lookups_over_the_limit_get_a_friendly_429_with_retry_after(
    client: Client, certificate: Certificate
) -> None:
    use_up_the_limit(client)

    response = client.get(f"/verify/{certificate.code}/")

    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    content = response.content.decode()
    assert "Too many lookups" in content
    assert "Anna Svensson" not in content


def test_json_clients_get_a_json_429(client: Client, certificate: Certificate) -> None:
    use_up_the_limit(client)

    for response in (
        client.get(f"/verify/{certificate.code}.json"),
        client.get(f"/verify/{certificate.code}/", headers={"accept": "application/json"}),
    ):
        assert response.status_code == 429
        assert response["Retry-After"]
        data = response.json()
        assert data["error"]
        assert data["retry_after"] == int(response["Retry-After"])


def test_malformed_codes_count_too(client: Client, certificate: Certificate) -> None:
    for typed in ("nonsense", "QGIS-AAAA", "12345"):
        assert client.get("/verify/", {"code": typed}).status_code == 200

    assert client.get("/verify/", {"code": "still nonsense"}).status_code == 429
    assert client.get(f"/verify/{certificate.code}/").status_code == 429


def test_redirects_to_the_canonical_address_do_not_count(
    client: Client, certificate: Certificate
) -> None:
    for _ in range(LIMIT * 2):
        assert client.get("/verify/", {"code": certificate.code.lower()}).status_code == 302
        assert client.get(f"/verify/{certificate.code.lower()}/").status_code == 301

    assert client.get(f"/verify/{certificate.code}/").status_code == 200


def test_each_address_has_its_own_allowance(client: Client, certificate: Certificate) -> None:
    use_up_the_limit(client, REMOTE_ADDR="192.0.2.1")

    assert client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_an_ipv6_subscriber_shares_one_allowance_across_its_block(
    client: Client, certificate: Certificate
) -> None:
    use_up_the_limit(client, REMOTE_ADDR="2001:db8:1:2::1")

    same_block = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="2001:db8:1:2::ffff")
    other_block = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="2001:db8:1:3::1")

    assert same_block.status_code == 429
    assert other_block.status_code == 200


def test_the_allowance_comes_back_in_the_next_window(
    client: Client, certificate: Certificate, clock: Any
) -> None:
    use_up_the_limit(client)
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 429
    assert response["Retry-After"] == "55"

    clock.shift(55)

    assert client.get(f"/verify/{certificate.code}/").status_code == 200


def test_throttling_stays_within_the_query_budget(
    client: Client, certificate: Certificate, django_assert_max_num_queries: Any
) -> None:
    # Valid lookups are not counted (issue 18): well past the limit, each is still answered.
    for _ in range(LIMIT * 3):
        with django_assert_max_num_queries(3):
            assert client.get(f"/verify/{certificate.code}/").status_code == 200
    use_up_the_limit(client)
    with django_assert_max_num_queries(0):
        assert client.get(f"/verify/{certificate.code}/").status_code == 429
