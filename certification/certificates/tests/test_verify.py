"""The verification form: /verify/ and /verify/?code=…"""

from typing import Any

import pytest
from django.test import Client

from certification.certificates.codes import new_code

pytestmark = pytest.mark.django_db

URL = "/verify/"
MALFORMED = "this is not a valid certificate code — check for typos"


def test_it_shows_a_labelled_code_field_with_an_example(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="id_code">Certificate code</label>' in content
    assert 'aria-describedby="id_code_helptext"' in content
    assert "The code printed on the certificate, for example QGIS-7K3M-9QX2-HT4R-5W." in content
    assert 'method="get"' in content
    assert MALFORMED not in content.lower()


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", " "),
        lambda code: f"  {code.replace('-', '').lower()}  ",
        lambda code: code[len("QGIS-") :],
        lambda code: code[len("QGIS-") :].replace("-", "").lower(),
    ],
    ids=["canonical", "lowercase", "spaces", "bare", "no-prefix", "no-prefix-bare"],
)
def test_a_code_in_any_spelling_leads_to_its_page(client: Client, spelling: Any) -> None:
    code = new_code()

    response = client.get(URL, {"code": spelling(code)})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}/"


@pytest.mark.parametrize(
    "typed",
    [
        "hello",
        "QGIS-7K3M-9QX2",  # too short
        "QGIS-0O1I-LUV0-0000-00",  # letters that codes never use
        "x" * 5000,
    ],
)
def test_a_malformed_code_is_explained_on_the_form_without_a_database_query(
    client: Client, typed: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get(URL, {"code": typed})

    assert response.status_code == 200
    content = response.content.decode()
    assert MALFORMED in content.lower()
    assert 'aria-invalid="true"' in content
    assert '<meta name="robots" content="noindex">' in content


def test_a_mistyped_character_is_caught_by_the_check_character(client: Client) -> None:
    code = new_code()
    position = len(code) - 4
    replacement = "2" if code[position] != "2" else "3"
    mistyped = code[:position] + replacement + code[position + 1 :]

    response = client.get(URL, {"code": mistyped})

    assert response.status_code == 200
    assert MALFORMED in response.content.decode().lower()


def test_an_empty_code_asks_for_one(client: Client) -> None:
    response = client.get(URL, {"code": "  "})

    assert response.status_code == 200
    assert "Type the code printed on the certificate." in response.content.decode()


def test_what_was_typed_is_escaped(client: Client) -> None:
    content = client.get(URL, {"code": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)" not in content
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_form_renders_in_swedish(client: Client) -> None:
    response = client.get(URL, headers={"accept-language": "sv"})

    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()
