"""Machine-readable verification: /verify/<code>.json, and /verify/<code>/ with Accept: JSON."""

import json
from typing import Any

import pytest
from django.test import Client

from certification.certificates.codes import new_code
from certification.certificates.models import Certificate
from certification.certificates.tests.test_verify_certificate import (
    EMAIL,
    REVOKED_AT,
    make_certificate,
    revoke,
)
from certification.organisations.models import Organisation

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


@pytest.fixture
def certificate(alice_org: Organisation) -> Certificate:
    return make_certificate(alice_org)


def expected(certificate: Certificate) -> dict[str, Any]:
    return {
        "code": certificate.code,
        "status": "valid",
        "valid": True,
        "holder": "Anna Svensson",
        "kind": "completion",
        "course": {
            "title": "QGIS for planners",
            "hours": 14,
            "qgis_version": "3.40 LTR",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-03",
            "online": False,
            "place": "Geoskolan Stockholm, Stockholm",
            "trainers": ["Bob Berg"],
        },
        "organisation": {
            "name": "Geoskolan AB",
            "url": "http://testserver/organisations/geoskolan/",
        },
        "issued_at": certificate.issued_at.isoformat(),
        "revoked_at": None,
        "revocation_reason": None,
        "replaced_by": None,
        "verification_url": f"http://testserver/verify/{certificate.code}/",
    }


def test_the_json_address_gives_the_certificate_as_json(
    client: Client, certificate: Certificate
) -> None:
    response = client.get(f"/verify/{certificate.code}.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected(certificate)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_page_gives_json_to_clients_that_ask_for_it(
    client: Client, certificate: Certificate
) -> None:
    response = client.get(f"/verify/{certificate.code}/", headers=JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected(certificate)
    assert "Accept" in response["Vary"]


def test_the_page_gives_html_to_browsers_and_says_it_varies(
    client: Client, certificate: Certificate
) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

    for headers in ({}, browser, {"accept": "*/*"}):
        response = client.get(f"/verify/{certificate.code}/", headers=headers)
        assert response["Content-Type"].startswith("text/html"), headers
        assert "Accept" in response["Vary"]


def test_a_revoked_certificate_says_so_in_json(client: Client, alice_org: Organisation) -> None:
    old = make_certificate(alice_org)
    new = make_certificate(alice_org, title="QGIS for planners, again")
    revoke(old, reason="Replaced to correct the name.", replaced_by=new)

    data = client.get(f"/verify/{old.code}.json").json()

    assert data["status"] == "revoked"
    assert data["valid"] is False
    assert data["revoked_at"] == REVOKED_AT.isoformat()
    assert data["revocation_reason"] == "Replaced to correct the name."
    assert data["replaced_by"] == new.code


def test_an_online_course_has_no_place(client: Client, alice_org: Organisation) -> None:
    certificate = make_certificate(alice_org, online=True)

    course = client.get(f"/verify/{certificate.code}.json").json()["course"]

    assert course["online"] is True
    assert course["place"] is None


def test_the_organisation_has_no_url_once_its_public_page_is_gone(
    client: Client, certificate: Certificate, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.ARCHIVED
    alice_org.save()

    data = client.get(f"/verify/{certificate.code}.json").json()

    assert data["organisation"] == {"name": "Geoskolan AB", "url": None}


def test_the_email_is_never_exposed(client: Client, certificate: Certificate) -> None:
    for response in (
        client.get(f"/verify/{certificate.code}.json"),
        client.get(f"/verify/{certificate.code}/", headers=JSON),
    ):
        assert EMAIL not in response.content.decode()
        assert "email" not in json.dumps(response.json())


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/verify/{code}.json", {}), ("/verify/{code}/", JSON)],
    ids=["json-address", "negotiated"],
)
def test_an_unknown_code_is_a_json_404(
    client: Client, db: None, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path.format(code=new_code()), headers=headers)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "No certificate with this code."}


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/verify/nonsense.json", {}), ("/verify/nonsense/", JSON)],
    ids=["json-address", "negotiated"],
)
def test_a_malformed_code_is_a_json_404(
    client: Client, db: None, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == 404
    assert response.json() == {"error": "This is not a valid certificate code."}


def test_other_spellings_redirect_to_the_canonical_json_address(
    client: Client, certificate: Certificate
) -> None:
    response = client.get(f"/verify/{certificate.code.lower()}.json")

    assert response.status_code == 301
    assert response["Location"] == f"/verify/{certificate.code}.json"


def test_json_takes_at_most_three_queries(
    client: Client, certificate: Certificate, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        client.get(f"/verify/{certificate.code}.json")
    with django_assert_max_num_queries(3):
        client.get(f"/verify/{certificate.code}/", headers=JSON)
