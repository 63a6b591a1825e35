"""The public page of one certificate: /verify/<code>/."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import translation

from certification.certificates.models import Certificate
from certification.certificates.printing import printed_fields_for
from certification.certificates.tests.factories import (
    AttendeeFactory,
    CertificateFactory,
    CourseFactory,
    TrainingCentreFactory,
)
from certification.core.tests.assertions import assert_unchanged
from certification.organisations.models import Organisation
from certification.training.models import CourseType
from certification.training.tests.factories import CourseTypeFactory

pytestmark = pytest.mark.django_db

EMAIL = "anna.svensson@example.org"
ISSUED_AT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
REVOKED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_certificate(
    organisation: Organisation,
    *,
    name: str = "Anna Svensson",
    email: str = EMAIL,
    kind: str = Certificate.Kind.COMPLETION,
    online: bool = False,
    trainers: tuple[str, ...] = ("Bob Berg",),
    title: str = "QGIS for planners",
) -> Certificate:
    """A certificate issued the way the platform issues them, with the snapshot it prints."""
    course_type = CourseTypeFactory.create(
        organisation=organisation,
        title=title,
        description="Maps for planning.",
        learning_outcomes="Load data\nPrint a map",
        hours=14,
        qgis_version="3.40 LTR",
        languages=["sv"],
        status=CourseType.Status.APPROVED,
    )
    centre = None
    if not online:
        centre = TrainingCentreFactory.create(
            organisation=organisation,
            name="Geoskolan Stockholm",
            address="Storgatan 1",
            city="Stockholm",
            country="SE",
            latitude=Decimal("59.33"),
            longitude=Decimal("18.06"),
        )
    course = CourseFactory.create(
        organisation=organisation,
        course_type=course_type,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 3),
        language="sv",
        online=online,
        training_centre=centre,
    )
    attendee = AttendeeFactory.create(course=course, name=name, email=email)
    certificate = CertificateFactory.create(
        attendee=attendee,
        kind=kind,
        snapshot=printed_fields_for(course, attendee, kind, list(trainers)),
    )
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=ISSUED_AT)
    certificate.refresh_from_db()
    return certificate


def revoke(
    certificate: Certificate, *, reason: str, replaced_by: Certificate | None = None
) -> None:
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = REVOKED_AT
    certificate.revocation_reason = reason
    certificate.replaced_by = replaced_by
    certificate.save()


def page_url(certificate: Certificate) -> str:
    return f"/verify/{certificate.code}/"


@pytest.fixture
def certificate(alice_org: Organisation) -> Certificate:
    return make_certificate(alice_org)


def test_it_shows_a_valid_certificate(client: Client, certificate: Certificate) -> None:
    response = client.get(page_url(certificate))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Valid QGIS certificate" in content
    assert '<h2 class="certificate-holder">Anna Svensson</h2>' in content
    assert "Certificate of completion" in content
    assert certificate.code in content
    assert "QGIS for planners" in content
    assert "14 hours" in content
    assert "3.40 LTR" in content
    assert "March 2, 2026 to March 3, 2026" in content
    assert "Geoskolan Stockholm, Stockholm, Sweden" in content
    assert "Bob Berg" in content
    assert '<a href="/organisations/geoskolan/">Geoskolan AB</a>' in content
    assert "<dt>Issued</dt>\n      <dd>March 4, 2026</dd>" in content
    assert "noindex" not in content


def test_it_never_shows_the_holders_email(client: Client, certificate: Certificate) -> None:
    content = client.get(page_url(certificate)).content.decode()

    assert EMAIL not in content
    assert "anna.svensson@" not in content


def test_an_online_course_says_online_and_lists_every_trainer(
    client: Client, alice_org: Organisation
) -> None:
    certificate = make_certificate(alice_org, online=True, trainers=("Bob Berg", "Eva Ek"))

    content = client.get(page_url(certificate)).content.decode()

    assert "<dd>Online</dd>" in content
    assert "<dt>Trainers</dt>" in content
    assert "Bob Berg, Eva Ek" in content


def test_it_shows_an_attendance_certificate_as_such(
    client: Client, alice_org: Organisation
) -> None:
    certificate = make_certificate(alice_org, kind=Certificate.Kind.ATTENDANCE)

    assert "Certificate of attendance" in client.get(page_url(certificate)).content.decode()


def test_it_shows_a_revoked_certificate_with_its_reason_and_replacement(
    client: Client, alice_org: Organisation
) -> None:
    old = make_certificate(alice_org, name="Ana Svenson")
    new = make_certificate(alice_org, name="Anna Svensson", title="QGIS for planners, again")
    revoke(old, reason="The name was misspelt.", replaced_by=new)

    response = client.get(page_url(old))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Revoked certificate" in content
    assert "Valid QGIS certificate" not in content
    assert "This certificate was revoked on March 10, 2026 and is no longer valid." in content
    assert "The name was misspelt." in content
    assert f'<a class="certificate-code" href="/verify/{new.code}/">{new.code}</a>' in content
    assert '<meta name="robots" content="noindex">' in content
    assert "linkedin.com" not in content


def test_a_revoked_certificate_without_a_replacement_says_so_plainly(
    client: Client, certificate: Certificate
) -> None:
    revoke(certificate, reason="Issued by mistake.")

    content = client.get(page_url(certificate)).content.decode()

    assert "Issued by mistake." in content
    assert "Replaced by" not in content


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code.lower(),
        lambda code: code.replace("-", " "),
        lambda code: code.replace("-", ""),
        lambda code: code[len("QGIS-") :],
    ],
    ids=["lowercase", "spaces", "no-dashes", "no-prefix"],
)
def test_other_spellings_of_the_code_redirect_permanently_to_the_canonical_page(
    client: Client, certificate: Certificate, spelling: Any
) -> None:
    response = client.get(f"/verify/{spelling(certificate.code)}/")

    assert response.status_code == 301
    assert response["Location"] == page_url(certificate)


def test_an_unknown_code_is_a_clear_404(client: Client, certificate: Certificate) -> None:
    other = Certificate._meta.get_field("code").default()

    response = client.get(f"/verify/{other}/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "No certificate with this code" in content
    assert other in content
    assert 'name="code"' in content  # the form, to try again


def test_a_malformed_code_in_the_address_is_a_404_that_says_why(client: Client) -> None:
    response = client.get("/verify/QGIS-0000-0000/")

    assert response.status_code == 404
    assert "this is not a valid certificate code" in response.content.decode().lower()


def test_the_organisation_is_not_linked_once_its_public_page_is_gone(
    client: Client, certificate: Certificate, alice_org: Organisation
) -> None:
    alice_org.status = Organisation.Status.SUSPENDED
    alice_org.save()

    content = client.get(page_url(certificate)).content.decode()

    assert "<dd>Geoskolan AB</dd>" in content
    assert "/organisations/geoskolan/" not in content


def test_the_organisation_is_linked_by_its_current_address(
    client: Client, certificate: Certificate, alice_org: Organisation
) -> None:
    alice_org.slug = "geoskolan-ab"
    alice_org.save()

    content = client.get(page_url(certificate)).content.decode()

    assert '<a href="/organisations/geoskolan-ab/">Geoskolan AB</a>' in content


def test_the_page_runs_at_most_three_queries(
    client: Client, alice_org: Organisation, django_assert_max_num_queries: Any
) -> None:
    old = make_certificate(alice_org)
    new = make_certificate(alice_org, title="Another course")
    revoke(old, reason="Replaced.", replaced_by=new)

    for certificate in (old, new):
        with django_assert_max_num_queries(3):
            assert client.get(page_url(certificate)).status_code == 200


def test_a_logged_in_visitor_adds_only_the_sessions_queries(
    client_for: Any, alice: Any, certificate: Certificate, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)

    with django_assert_max_num_queries(4):  # session, user and roles, then the certificate
        assert client.get(page_url(certificate)).status_code == 200


def test_it_has_open_graph_tags_for_sharing(client: Client, certificate: Certificate) -> None:
    content = client.get(page_url(certificate)).content.decode()

    url = f"http://testserver/verify/{certificate.code}/"
    assert '<meta property="og:type" content="website">' in content
    assert (
        '<meta property="og:title" content="QGIS for planners — Certificate of completion, '
        'issued to Anna Svensson">'
    ) in content
    assert (
        '<meta property="og:description" content="Certificate of completion for QGIS for '
        "planners, issued to Anna Svensson by Geoskolan AB on"
    ) in content
    assert f'<meta property="og:url" content="{url}">' in content
    assert f'<link rel="canonical" href="{url}">' in content


def linkedin_parameters(content: str) -> dict[str, list[str]]:
    match = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', content)
    assert match, "no LinkedIn link"
    url = urlsplit(html.unescape(match.group(1)))
    return parse_qs(url.query, strict_parsing=True)


def test_a_valid_certificate_can_be_added_to_a_linkedin_profile(
    client: Client, certificate: Certificate
) -> None:
    content = client.get(page_url(certificate)).content.decode()

    with translation.override("sv"):  # the language the course was taught and printed in
        kind = str(Certificate.Kind.COMPLETION.label)
    assert "Add to LinkedIn profile" in content
    assert linkedin_parameters(content) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [f"QGIS for planners — {kind}"],
        "organizationName": ["Geoskolan AB"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "certUrl": [f"http://testserver/verify/{certificate.code}/"],
        "certId": [certificate.code],
    }


def test_linkedin_parameters_survive_characters_that_need_encoding(
    client: Client, alice_org: Organisation
) -> None:
    alice_org.legal_name = "Kart & Data AB"
    alice_org.save()
    certificate = make_certificate(alice_org, title="QGIS 3: #1 = maps?")

    parameters = linkedin_parameters(client.get(page_url(certificate)).content.decode())

    assert parameters["organizationName"] == ["Kart & Data AB"]
    assert parameters["name"][0].startswith("QGIS 3: #1 = maps? — ")


def test_user_content_is_escaped(client: Client, alice_org: Organisation) -> None:
    certificate = make_certificate(alice_org, name="<script>alert('x')</script>")

    content = client.get(page_url(certificate)).content.decode()

    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content


def test_the_page_renders_in_swedish(client: Client, certificate: Certificate) -> None:
    response = client.get(page_url(certificate), headers={"accept-language": "sv"})

    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()


def test_it_answers_get_and_head_only(client: Client, certificate: Certificate) -> None:
    assert client.head(page_url(certificate)).status_code == 200
    with assert_unchanged(certificate):
        assert client.post(page_url(certificate)).status_code == 405
