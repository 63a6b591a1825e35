"""The public /statistics/ page: certified organisations per country, certificates and courses
per year as server-drawn SVG charts each with its table, and the total contributed to QGIS.
Aggregates run in the database: the page costs the same queries whatever the data."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from certification.billing.models import Payment
from certification.billing.tests.factories import PaymentFactory
from certification.certificates.models import Certificate
from certification.certificates.tests.factories import CertificateFactory
from certification.core.tests.assertions import assert_unchanged
from certification.directory.statistics import (
    YearFigure,
    bar_chart,
    compute_statistics,
    public_statistics,
)
from certification.organisations.models import Organisation
from certification.organisations.tests.factories import OrganisationFactory
from certification.training.models import Course
from certification.training.tests.factories import AttendeeFactory, CourseFactory

pytestmark = pytest.mark.django_db

URL = "/statistics/"


def certificate_issued_in(year: int, course: Course, **fields: object) -> Certificate:
    certificate = CertificateFactory.create(
        attendee=AttendeeFactory.create(course=course), **fields
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime.datetime(year, 6, 15, 12, 0, tzinfo=datetime.UTC)
    )
    return certificate


def course_in(year: int, organisation: Organisation, **fields: object) -> Course:
    return CourseFactory.create(
        organisation=organisation,
        starts_on=datetime.date(year, 9, 1),
        ends_on=datetime.date(year, 9, 2),
        **fields,
    )


def pay(organisation: Organisation, amount: str) -> Payment:
    return PaymentFactory.create(organisation=organisation, amount=Decimal(amount))


def table_rows(content: str, caption: str) -> list[tuple[str, str]]:
    """The (header, value) rows of the table with this caption."""
    table = content[content.index(f"{caption}</caption>") :]
    table = table[: table.index("</table>")]
    return re.findall(r'<tr><th scope="row">(.*?)</th><td class="number">(.*?)</td></tr>', table)


# --- Figures ----------------------------------------------------------------------------------


def test_it_counts_certified_organisations_per_country(client: Client, alice_org, carol_org):
    OrganisationFactory.create(legal_name="Kartbyrån", country="SE")
    OrganisationFactory.create(legal_name="Suspended AB", country="SE", status="suspended")
    OrganisationFactory.create(legal_name="Archived GmbH", country="DE", status="archived")
    OrganisationFactory.create(legal_name="Applicant SA", country="FR", status="applicant")

    figures = compute_statistics()

    assert [(f.code, f.name, f.organisations) for f in figures.countries] == [
        ("SE", "Sweden", 2),
        ("GB", "United Kingdom", 1),
    ]
    assert figures.organisations == 3
    content = client.get(URL).content.decode()
    assert table_rows(content, "Certified organisations per country, most first") == [
        ('<a href="/organisations/?country=SE">Sweden</a>', "2"),
        ('<a href="/organisations/?country=GB">United Kingdom</a>', "1"),
    ]
    assert "Germany" not in content
    assert "France" not in content


def test_the_countries_are_also_on_the_map(client: Client, alice_org) -> None:
    content = client.get(URL).content.decode()

    assert 'data-geojson-url="/organisations/map.geojson"' in content
    assert 'data-popup-url-template="/organisations/map/centres/__ID__/"' in content
    assert 'aria-label="Map of the training centres of certified organisations' in content


def test_it_counts_certificates_per_year_revoked_ones_included(client: Client, alice_org):
    course = course_in(2024, alice_org)
    certificate_issued_in(2024, course)
    certificate_issued_in(2024, course, revoked=True)
    # A name correction: the replaced certificate and its replacement count once.
    replaced = certificate_issued_in(2026, course, revoked=True)
    replacement = certificate_issued_in(2026, course)
    Certificate.objects.filter(pk=replaced.pk).update(replaced_by=replacement)

    figures = compute_statistics()

    assert figures.certificates_per_year == [
        YearFigure(2024, 2),
        YearFigure(2025, 0),  # the axis has no gaps
        YearFigure(2026, 1),
    ]
    assert figures.certificates == 3
    content = client.get(URL).content.decode()
    assert table_rows(content, "Certificates issued per year") == [
        ("2024", "2"),
        ("2025", "0"),
        ("2026", "1"),
    ]
    assert "Revoked certificates are included" in content


def test_it_counts_public_and_private_courses_per_year_of_certified_organisations(
    client: Client, alice_org, carol_org
):
    course_in(2025, alice_org)
    course_in(2025, alice_org, is_public=False)
    course_in(2027, carol_org, online=True)
    carol_org.status = Organisation.Status.SUSPENDED
    carol_org.save()
    course_in(2026, alice_org)

    figures = compute_statistics()

    assert figures.courses_per_year == [YearFigure(2025, 2), YearFigure(2026, 1)]
    content = client.get(URL).content.decode()
    assert table_rows(content, "Courses per year") == [("2025", "2"), ("2026", "1")]
    assert "Public and private courses of the organisations certified today" in content


def test_the_total_contributed_is_the_certificates_issued_times_their_price(
    client: Client, alice_org, settings
):
    course = course_in(2026, alice_org)
    for _ in range(3):
        certificate_issued_in(2026, course)
    pay(alice_org, "100.00")
    pay(alice_org, "25.50")
    pay(alice_org, "-20.00")  # a refund

    figures = compute_statistics()

    assert figures.certificate_price == Decimal("20.00")
    assert figures.contributed == Decimal("60.00")
    assert figures.received == Decimal("105.50")
    content = client.get(URL).content.decode()
    assert "<dd>60.00 EUR</dd>" in content
    assert "3 certificates issued × 20.00 EUR, the price of one certificate" in content
    assert "<dd>105.50 EUR</dd>" in content
    assert "Received so far" in content


def test_the_total_follows_the_price_setting(alice_org, settings):
    settings.CERTIFICATE_PRICE_EUR = Decimal("25.00")
    course = course_in(2026, alice_org)
    certificate_issued_in(2026, course)
    certificate_issued_in(2026, course)

    assert compute_statistics().contributed == Decimal("50.00")


# --- Charts -----------------------------------------------------------------------------------


def test_each_chart_is_an_accessible_svg_beside_its_table(client: Client, alice_org):
    course = course_in(2025, alice_org)
    certificate_issued_in(2025, course)
    certificate_issued_in(2026, course)
    certificate_issued_in(2026, course)

    content = client.get(URL).content.decode()

    assert content.count('role="img"') == 2
    svg = content[content.index('<svg xmlns="http://www.w3.org/2000/svg"') :]
    svg = svg[: svg.index("</svg>")]
    assert 'aria-labelledby="certificates-chart-title certificates-chart-desc"' in svg
    assert '<title id="certificates-chart-title">Certificates issued per year</title>' in svg
    assert '<desc id="certificates-chart-desc">2025: 1; 2026: 2</desc>' in svg
    assert svg.count('class="bar"') == 2
    assert svg.count('fill="#589632"') == 2
    assert re.findall(r'<text class="bar-value"[^>]*>(\d+)</text>', svg) == ["1", "2"]
    assert re.findall(r'<text class="bar-year"[^>]*>(\d+)</text>', svg) == ["2025", "2026"]
    # The table beside it holds the same figures.
    assert table_rows(content, "Certificates issued per year") == [("2025", "1"), ("2026", "2")]
    # Strict CSP: no inline styles, no scripts of its own.
    assert "style=" not in content
    assert "<script>" not in content
    assert 'href="/static/css/statistics.css"' in content


def test_bars_are_scaled_to_the_largest_count() -> None:
    chart = bar_chart([YearFigure(2024, 10), YearFigure(2025, 0), YearFigure(2026, 5)])

    assert chart is not None
    tall, empty, half = chart.bars
    assert tall.y + tall.height == chart.baseline == empty.y + empty.height
    assert empty.height == 0
    assert half.height == pytest.approx(tall.height / 2, abs=0.1)
    assert tall.x < empty.x < half.x
    assert all(bar.show_year for bar in chart.bars)


def test_a_long_axis_labels_fewer_years_and_always_the_last() -> None:
    chart = bar_chart([YearFigure(year, 1) for year in range(1990, 2030)])

    assert chart is not None
    labelled = [bar.year for bar in chart.bars if bar.show_year]
    assert labelled[-1] == 2029
    assert len(labelled) <= 16
    assert all(bar.width > 0 for bar in chart.bars)


def test_there_is_no_chart_without_data() -> None:
    assert bar_chart([]) is None


def test_it_says_so_when_there_is_nothing_yet(client: Client) -> None:
    response = client.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "No organisation is certified yet." in content
    assert "No certificates have been issued yet." in content
    assert "No courses yet." in content
    assert "<svg" not in content
    assert "<dd>0.00 EUR</dd>" in content


# --- Language, caching, queries ---------------------------------------------------------------


def test_country_names_are_in_the_visitors_language(alice_org, carol_org) -> None:
    english = Client().get(URL).content.decode()
    swedish = Client(HTTP_ACCEPT_LANGUAGE="sv").get(URL).content.decode()

    assert ">Sweden</a>" in english
    assert ">Sverige</a>" in swedish
    assert ">Storbritannien</a>" in swedish
    assert ">Sweden</a>" not in swedish
    assert '<html lang="sv">' in swedish


def test_the_figures_are_cached_for_ten_minutes(alice_org, carol_org) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert public_statistics().organisations == 2
        OrganisationFactory.create(country="SE")

        traveller.shift(datetime.timedelta(minutes=9))
        assert public_statistics().organisations == 2

        traveller.shift(datetime.timedelta(minutes=2))
        assert public_statistics().organisations == 3


def test_it_runs_the_same_queries_for_ten_times_the_data(
    client: Client, alice_org, django_assert_num_queries
) -> None:
    def add(count: int) -> None:
        for number in range(count):
            organisation = OrganisationFactory.create(
                country=["SE", "NO", "DK", "FI", "DE"][number % 5]
            )
            course = course_in(2020 + number % 7, organisation, is_public=number % 2 == 0)
            certificate_issued_in(2020 + number % 5, course)
            pay(organisation, "20.00")

    add(3)
    # Organisations per country, certificates per year, courses per year, payments received.
    with django_assert_num_queries(4) as few:
        client.get(URL)
    add(27)
    cache.clear()

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL)

    content = response.content.decode()
    assert "<dd>30</dd>" in content  # certificates
    assert "<dd>600.00 EUR</dd>" in content
    # Cached: no query at all until the figures are ten minutes old.
    with django_assert_num_queries(0):
        client.get(URL)


def test_it_is_read_only(client: Client) -> None:
    with assert_unchanged(Certificate, Payment):
        assert client.post(URL).status_code == 405
